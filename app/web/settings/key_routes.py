"""Booking-API keys: create (the key is shown once), revoke. Administrators only."""

from __future__ import annotations

from flask import abort, g, make_response
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.models import ApiKey
from app.services.settings.api_keys import ApiKeyError, create_api_key, revoke_api_key
from app.tenancy import get_scoped_or_404
from app.web.settings import bp
from app.web.settings.forms import ApiKeyForm
from app.web.settings.page import invalid, render_page, saved


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(404)


@bp.post("/api-keys")
def create_key():
    _admin_only()
    form = ApiKeyForm()
    if not form.validate():
        return invalid("api_key", form)
    try:
        key, plaintext = create_api_key(g.tenant, form.name.data, created_by=current_user.email)
    except ApiKeyError as exc:
        form.name.errors = [str(exc)]
        return invalid("api_key", form)
    db.session.commit()
    # Rendered, not redirected: the plaintext must never reach the session cookie or a URL.
    response = make_response(render_page(new_key={"id": key.id, "name": key.name, "plaintext": plaintext}))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/api-keys/<key_id>/revoke")
def revoke_key(key_id: str):
    _admin_only()
    key = get_scoped_or_404(ApiKey, key_id)
    revoke_api_key(key.id, g.tenant.id, actor=current_user.email)
    db.session.commit()
    return saved("claves-api", _("Clave «%(name)s» revocada: deja de funcionar de inmediato.", name=key.name))
