"""Blueprints whose URLs live under /t/<tenant_slug>/: login required, tenant resolved and scoped."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_login import current_user, login_required

from app.tenancy import tenant_for_user_or_404


def tenant_blueprint(name: str, import_name: str, prefix: str = "") -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=f"/t/<tenant_slug>{prefix}")

    @bp.url_value_preprocessor
    def _pull_tenant(_endpoint, values):
        g.tenant_slug = values.pop("tenant_slug", None)

    @bp.url_defaults
    def _add_tenant(_endpoint, values):
        if "tenant_slug" not in values and g.get("tenant_slug"):
            values["tenant_slug"] = g.tenant_slug

    @bp.before_request
    @login_required
    def _load_tenant():
        g.tenant = tenant_for_user_or_404(current_user, g.tenant_slug)

    return bp


def is_htmx() -> bool:
    """An htmx request wanting a partial; a history restore (Back after hx-push-url) needs the full page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


