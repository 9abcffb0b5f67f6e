"""Settings: Chatwoot credentials, webhooks, widget, notifications, templates and booking-API keys."""

from app.web.tenant_bp import tenant_blueprint

bp = tenant_blueprint("settings", __name__, "/settings")

from app.web.settings import (  # noqa: E402, F401  (views)
    agents_routes,
    automation_routes,
    chatwoot_routes,
    key_routes,
    notification_routes,
)
