"""JSON endpoints: health, Chatwoot webhooks and the booking-system API."""

from flask import Flask


def register_api(app: Flask) -> None:
    from app.api.health import bp as health_bp
    from app.api.webhooks import WebhookEndpoints

    app.register_blueprint(health_bp)
    app.wsgi_app = WebhookEndpoints(app, app.wsgi_app)

    from app.api.v1 import bp as v1_bp

    app.register_blueprint(v1_bp)
