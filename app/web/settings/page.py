"""The settings page: every section's form filled from the stored rows, rendered with one bound form on error."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from app.models import NotificationType
from app.services.notifications.templates import STANDARD_VARIABLES, default_body
from app.services.settings.tenant_settings import (
    CHANNEL_INBOX_COLUMNS,
    CHANNEL_SWITCH_COLUMNS,
    WEBHOOK_EVENTS,
    SettingsState,
    format_offsets,
    load_state,
)
from app.web.refusals import flash_refusal, refusal, refusal_status
from app.web.settings.forms import (
    ApiKeyForm,
    ChannelInboxesForm,
    ConfirmForm,
    CredentialsForm,
    RemindersForm,
    TemplateForm,
    TogglesForm,
    WebhookSecretForm,
    WhatsAppTemplatesForm,
    WidgetForm,
)


def template_form(notification_type: str, body: str | None = None, bound: bool = False) -> TemplateForm:
    """The form of one type's text; ids are prefixed with the type so six forms share the page."""
    prefix = f"tpl-{notification_type}"
    if bound:
        return TemplateForm(prefix=prefix)
    return TemplateForm(formdata=None, prefix=prefix, data={"body": body})


def _whatsapp_data(stored: dict) -> dict:
    return {t: {"name": m.get("name"), "language": m.get("language"), "params": ", ".join(m.get("params") or [])}
            for t, m in (stored or {}).items() if isinstance(m, dict)}


def section_forms(state: SettingsState) -> dict:
    """Every section's form, unbound, showing what is stored (never a secret)."""
    s, c = state.settings, state.config
    templates = {t.value: template_form(t.value, row.body if row else default_body(t.value))
                 for t, row in ((NotificationType(k), v) for k, v in state.templates.items())}
    return {
        "credentials": CredentialsForm(formdata=None, data={
            "api_url": s.chatwoot_api_url, "account_id": s.chatwoot_account_id, "inbox_id": s.chatwoot_inbox_id}),
        "widget": WidgetForm(formdata=None, data={"base_url": c.base_url, "website_token": c.website_token}),
        "webhook_secret": WebhookSecretForm(formdata=None),
        "toggles": TogglesForm(formdata=None, data={"chatwoot_enabled": s.chatwoot_enabled,
                                                    "accept_unsigned": c.accept_unsigned_webhooks,
                                                    "auto_create": c.auto_create_clients,
                                                    "accept_contact_edits": c.accept_contact_edits}),
        "reminders": RemindersForm(formdata=None, data={
            "offsets": format_offsets(s.reminder_offsets_minutes), "quiet_start": s.quiet_hours_start,
            "quiet_end": s.quiet_hours_end, "send_confirmations": s.send_confirmations,
            "send_reminders": s.send_reminders, "send_cancellations": s.send_cancellations,
            "send_reschedules": s.send_reschedules}),
        "templates": templates,
        "whatsapp": WhatsAppTemplatesForm(formdata=None, data=_whatsapp_data(s.whatsapp_templates)),
        "inboxes": ChannelInboxesForm(formdata=None, data={
            column: getattr(s, column) for column in (*CHANNEL_INBOX_COLUMNS, *CHANNEL_SWITCH_COLUMNS)}),
        "api_key": ApiKeyForm(formdata=None),
        "confirm": ConfirmForm(formdata=None),
    }


def render_page(status: int = 200, *, forms: dict | None = None, templates: dict | None = None, **extra):
    """The whole page; `forms` replaces sections (a bound form with its errors), `extra` adds results."""
    state = load_state(g.tenant)
    all_forms = section_forms(state)
    all_forms.update(forms or {})
    all_forms["templates"].update(templates or {})
    html = render_template("settings/page.html", state=state, forms=all_forms, variables=STANDARD_VARIABLES,
                           events=WEBHOOK_EVENTS, **extra)
    return html, status


def invalid(name: str, form) -> tuple:
    """Re-render with the section's bound form and its field errors (422); the rest stays as stored."""
    return render_page(422, forms={name: form})


def refused(name: str, form, reason: str, status: int = 422) -> tuple:
    """Re-render with what was typed and why the save was refused (nothing was written)."""
    return render_page(status, forms={name: form}, refusal={name: reason})


def saved(anchor: str, message: str | None = None):
    """Back to the page at the section just saved (post/redirect/get)."""
    flash(message or _("Cambios guardados."), "success")
    return redirect(url_for("settings.show", _anchor=anchor))


def not_saved(name: str, form, error: Exception, reason: str = "", status: int = 422) -> tuple:
    """Re-render with what was typed and why nothing was saved (a busy database: 503). A section with its own
    refusal note passes its `reason` and shows it there; the others say it in a flash message."""
    if reason:
        return refused(name, form, refusal(error, reason), refusal_status(error, status))
    flash_refusal(error)
    return render_page(refusal_status(error, status), forms={name: form})


def not_done(anchor: str, error: Exception, message: str = ""):
    """Back to the section of a button-only action that was not done, saying why."""
    flash_refusal(error, message)
    return redirect(url_for("settings.show", _anchor=anchor))
