"""Booking-API keys: create (the key is shown once), revoke. Administrators only."""

from __future__ import annotations

from flask import abort, g, make_response
from flask_babel import gettext as _
from flask_login import current_user

from app.models import ApiKey
from app.services.settings.api_keys import ApiKeyError, create_api_key, revoke_api_key
from app.tenancy import get_scoped_or_404
from app.transactions import unit_of_work
from app.web.settings import bp
from app.web.settings.forms import ApiKeyForm
from app.web.settings.page import invalid, not_done, not_saved, render_page, saved


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(404)


@bp.post("/api-keys")
def create_key():
    _admin_only()
    form = ApiKeyForm()
    if not form.validate():
        return invalid("api_key", form)
    with unit_of_work(ApiKeyError) as work:
        key, plaintext = create_api_key(g.tenant, form.name.data, by=current_user)
    if work.error:
        return not_saved("api_key", form, work.error, _("No se pudo crear la clave: %(error)s", error=work.error))
    # Rendered, not redirected: the plaintext must never reach the session cookie or a URL.
    response = make_response(render_page(new_key={"id": key.id, "name": key.name, "plaintext": plaintext}))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/api-keys/<key_id>/revoke")
def revoke_key(key_id: str):
    _admin_only()
    key = get_scoped_or_404(ApiKey, key_id)
    with unit_of_work() as work:
        revoke_api_key(key.id, g.tenant.id, by=current_user)
    if work.error:
        return not_done("claves-api", work.error)
    return saved("claves-api", _("Clave «%(name)s» revocada: deja de funcionar de inmediato.", name=key.name))
