"""Settings sections about notifications: reminders and quiet hours, texts, WhatsApp templates, inboxes."""

from __future__ import annotations

from flask import abort, g, render_template
from flask_babel import gettext as _
from flask_login import current_user

from app.models import NotificationType
from app.services.notifications.templates import STANDARD_VARIABLES, TemplateError, placeholders, preview
from app.services.settings import tenant_settings as service
from app.transactions import unit_of_work
from app.web.refusals import flash_refusal, refusal_status
from app.web.settings import bp
from app.web.settings.forms import ChannelInboxesForm, RemindersForm, WhatsAppTemplatesForm
from app.web.settings.page import invalid, not_saved, render_page, saved, template_form
from app.web.tenant_bp import is_htmx

# Sent on their own by reminders and booking events, which know only the standard variables.
AUTOMATIC = {NotificationType.APPOINTMENT_CONFIRMATION, NotificationType.APPOINTMENT_REMINDER,
             NotificationType.APPOINTMENT_CANCELLATION, NotificationType.APPOINTMENT_RESCHEDULED}


def _type_or_404(value: str) -> str:
    if value not in NotificationType.__members__:
        abort(404)
    return value


@bp.post("/reminders")
def reminders():
    form = RemindersForm()
    if not form.validate():
        return invalid("reminders", form)
    with unit_of_work() as work:
        service.save_reminders(g.tenant, current_user, offsets_minutes=form.offsets_minutes,
                               quiet_start=form.quiet_start.data, quiet_end=form.quiet_end.data, sends=form.sends())
    if work.error:
        return not_saved("reminders", form, work.error)
    return saved("recordatorios")


def _unknown_variables(notification_type: str, body: str) -> list[str]:
    if NotificationType(notification_type) not in AUTOMATIC:
        return []
    return [name for name in placeholders(body) if name not in STANDARD_VARIABLES]


@bp.post("/templates/<notification_type>")
def template(notification_type: str):
    notification_type = _type_or_404(notification_type)
    form = template_form(notification_type, bound=True)
    if not form.validate():
        return render_page(422, templates={notification_type: form})
    unknown = _unknown_variables(notification_type, form.body.data or "")
    if unknown:
        form.body.errors = [_("Estas variables no existen en los envíos automáticos: %(names)s. Usa: %(known)s.",
                              names=", ".join(unknown), known=", ".join(STANDARD_VARIABLES))]
        return render_page(422, templates={notification_type: form})
    with unit_of_work() as work:
        service.save_template(g.tenant, current_user, notification_type, form.body.data)
    if work.error:
        flash_refusal(work.error)
        return render_page(refusal_status(work.error), templates={notification_type: form})
    return saved(f"plantilla-{notification_type}", _("Texto guardado."))


@bp.post("/templates/<notification_type>/preview")
def template_preview(notification_type: str):
    notification_type = _type_or_404(notification_type)
    form = template_form(notification_type, bound=True)
    try:
        result = {"text": preview(g.tenant, notification_type, body=form.body.data), "error": None}
    except TemplateError as exc:
        result = {"text": None, "error": exc.missing}
    result["type"] = notification_type
    if is_htmx():
        return render_template("settings/_preview.html", preview=result)
    return render_page(templates={notification_type: form}, previews={notification_type: result})


@bp.post("/whatsapp-templates")
def whatsapp_templates():
    form = WhatsAppTemplatesForm()
    if not form.validate():
        return invalid("whatsapp", form)
    with unit_of_work() as work:
        service.save_whatsapp_templates(g.tenant, current_user, form.mappings())
    if work.error:
        return not_saved("whatsapp", form, work.error)
    return saved("whatsapp")


@bp.post("/channel-inboxes")
def channel_inboxes():
    form = ChannelInboxesForm()
    if not form.validate():
        return invalid("inboxes", form)
    columns = (*service.CHANNEL_INBOX_COLUMNS, *service.CHANNEL_SWITCH_COLUMNS)
    with unit_of_work() as work:
        service.save_channel_inboxes(g.tenant, current_user, {name: form[name].data for name in columns})
    if work.error:
        return not_saved("inboxes", form, work.error)
    return saved("bandejas")
