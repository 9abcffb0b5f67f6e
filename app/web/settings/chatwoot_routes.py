"""Settings sections about Chatwoot itself: credentials, the live check, widget, webhooks, switches."""

from __future__ import annotations

from flask import g, render_template
from flask_babel import gettext as _
from flask_login import current_user

from app.services.settings import tenant_settings as service
from app.services.settings.credentials import ClaimRefused
from app.services.settings.health import live_check, record_check
from app.transactions import unit_of_work
from app.web.labels import reason_label
from app.web.refusals import busy_page
from app.web.settings import bp
from app.web.settings.forms import CredentialsForm, TogglesForm, WebhookSecretForm, WidgetForm
from app.web.settings.page import invalid, not_done, not_saved, render_page, saved
from app.web.tenant_bp import is_htmx


@bp.get("/")
def show():
    with unit_of_work() as work:  # keeps the settings rows when SQL created a tenant without them
        page = render_page()
    return busy_page() if work.error else page


@bp.post("/credentials")
def credentials():
    form = CredentialsForm()
    if not form.validate():
        return invalid("credentials", form)
    with unit_of_work(ClaimRefused) as work:
        proof = service.save_credentials(g.tenant, current_user, api_url=form.api_url.data,
                                         account_id=form.account_id.data, inbox_id=form.inbox_id.data,
                                         token=form.token.data)
    if work.error:
        return not_saved("credentials", form, work.error, _not_saved_reason(work.error))
    if proof:
        return saved("credenciales", _("Credenciales guardadas: Chatwoot confirmó la cuenta %(account)s (%(role)s).",
                                       account=proof.account_id, role=proof.role))
    return saved("credenciales", _("Credenciales guardadas. Usa «Probar conexión» para verificarlas."))


@bp.post("/check")
def test_connection():
    result = live_check(g.tenant.id)  # only reads before asking Chatwoot: no write transaction waits on it
    with unit_of_work():  # a busy database loses only the stored "last checked" line, never the answer
        record_check(g.tenant.id, result)
    if is_htmx():
        return render_template("settings/_check.html", check=result)
    return render_page(check=result)


@bp.post("/widget")
def widget():
    form = WidgetForm()
    if not form.validate():
        return invalid("widget", form)
    with unit_of_work(service.SettingsRefused) as work:
        service.save_widget(g.tenant, current_user, base_url=form.base_url.data,
                            website_token=form.website_token.data)
    if work.error:
        return not_saved("widget", form, work.error, _not_saved_reason(work.error))
    return saved("widget")


@bp.post("/webhook-secret")
def webhook_secret():
    form = WebhookSecretForm()
    if not form.validate():
        return invalid("webhook_secret", form)
    with unit_of_work() as work:
        service.save_webhook_secret(g.tenant, current_user, form.secret.data)
    if work.error:
        return not_saved("webhook_secret", form, work.error)
    return saved("webhooks", _("Secreto del webhook guardado."))


@bp.post("/webhook-token/rotate")
def rotate_webhook_token():
    with unit_of_work() as work:
        service.rotate_webhook_token(g.tenant, current_user)
    if work.error:
        return not_done("webhooks", work.error)
    return saved("webhooks", _("Nueva URL con token generada: actualízala en Chatwoot, la anterior ya no funciona."))


@bp.post("/toggles")
def toggles():
    form = TogglesForm()
    if not form.validate():
        return invalid("toggles", form)
    with unit_of_work(service.SettingsRefused) as work:
        service.save_toggles(g.tenant, current_user, chatwoot_enabled=form.chatwoot_enabled.data,
                             accept_unsigned=form.accept_unsigned.data, auto_create=form.auto_create.data,
                             accept_contact_edits=form.accept_contact_edits.data)
    if work.error:
        return not_saved("toggles", form, work.error, _("Solo un administrador puede aceptar webhooks sin firma."),
                         403)
    return saved("opciones")


def _not_saved_reason(error: Exception) -> str:
    return _("No se guardó: %(reason)s", reason=reason_label(getattr(error, "message", str(error))))
