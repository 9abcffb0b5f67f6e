"""Navigation entries for tenant pages; an entry shows once its endpoint exists."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.tenancy import tenants_for

NAV_ITEMS = [
    ("overview.show", _l("Resumen")),
    ("contacts.linked", _l("Contactos")),
    ("appointments.upcoming", _l("Citas")),
    ("sync.index", _l("Sincronización")),
    ("messages.test_form", _l("Mensaje de prueba")),
    ("interactions.index", _l("Interacciones")),
    ("analytics.show", _l("Analítica")),
    ("notifications.index", _l("Notificaciones")),
    ("webhooks.index", _l("Webhooks")),
    ("settings.show", _l("Configuración")),
    ("admin.index", _l("Administración")),  # administrators only
]


def _nav_context() -> dict:
    if not current_user.is_authenticated:
        return {}
    items = [(e, label) for e, label in NAV_ITEMS if e in current_app.view_functions
             and (e != "admin.index" or current_user.is_admin)]
    return {
        "nav_items": items if g.get("tenant") else [],
        "my_tenants": db.session.scalars(tenants_for(current_user)).all(),
    }


def init_app(app: Flask) -> None:
    app.context_processor(_nav_context)
