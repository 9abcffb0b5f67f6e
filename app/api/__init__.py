"""JSON endpoints: health, Chatwoot webhooks and the booking-system API."""

from flask import Flask


def register_api(app: Flask) -> None:
    from app.api.health import bp as health_bp

    app.register_blueprint(health_bp)
