"""Dashboard blueprints, login wiring and error pages."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from app.extensions import db, login_manager
from app.models import User


def _load_user(session_id: str) -> User | None:
    """The session's user, unless it has logged out, changed password or been switched off since."""
    user_id, _, version = session_id.partition(":")
    user = db.session.get(User, user_id)
    if user is None or not user.active or version != str(user.session_version):
        return None
    return user


def _error_page(code: int, title: str, message: str):
    if request.path.startswith("/api/"):
        return {"error": title, "message": message}, code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register_errors(app: Flask) -> None:
    from flask_babel import gettext as _

    app.register_error_handler(404, lambda e: _error_page(404, _("Página no encontrada"),
                                                          _("La página no existe o no te pertenece.")))
    app.register_error_handler(500, lambda e: _error_page(500, _("Algo salió mal"),
                                                          _("El error quedó registrado. Intenta de nuevo.")))
    app.register_error_handler(CSRFError, lambda e: _error_page(400, _("El formulario expiró"),
                                                                _("Recarga la página y envía el formulario de nuevo.")))
    app.register_error_handler(405, lambda e: _error_page(405, _("No permitido"),
                                                          _("Esta dirección no acepta ese método.")))


def register_web(app: Flask) -> None:
    from app.web import labels, nav
    from app.web.auth.routes import bp as auth_bp
    from app.web.dashboard.routes import bp as dashboard_bp
    from app.web.dashboard.routes import tenant_bp as overview_bp

    nav.init_app(app)
    labels.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(overview_bp)
    from app.web.contacts import bp as contacts_bp
    from app.web.interactions.routes import bp as interactions_bp
    from app.web.notifications.routes import bp as notifications_bp
    from app.web.webhooks.routes import bp as webhooks_bp

    for list_bp in (contacts_bp, interactions_bp, notifications_bp, webhooks_bp):
        app.register_blueprint(list_bp)
    from app.web.admin.routes import bp as admin_bp
    from app.web.analytics.routes import bp as analytics_bp
    from app.web.appointments.routes import bp as appointments_bp
    from app.web.messages.routes import bp as messages_bp
    from app.web.settings import bp as settings_bp
    from app.web.sync.routes import bp as sync_bp

    for page_bp in (settings_bp, sync_bp, messages_bp, admin_bp, appointments_bp, analytics_bp):
        app.register_blueprint(page_bp)
    from app.web.panel import bp as panel_bp

    app.register_blueprint(panel_bp)
    register_errors(app)
    # Browsers ask for /favicon.ico on pages that are not ours (raw JSON, files): answer with our icon.
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.svg"))
