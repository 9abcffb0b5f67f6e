"""A tenant's integration settings as the dashboard reads and saves them; every change is audited.

Secrets (the Chatwoot token, the webhook secret) are write-only here: they can be replaced, never read
back. Audit lines name the fields that changed and, for secrets, only that they were replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.chatwoot.settings import ChatwootSettings, app_base_url, resolve_settings, tenant_rows
from app.crypto import encrypt, is_readable
from app.extensions import db
from app.models import (
    ApiKey,
    AuditLog,
    ChatwootConfig,
    NotificationSettings,
    NotificationTemplate,
    NotificationType,
    Tenant,
    User,
)
from app.models.settings import new_webhook_token
from app.outbound import excerpt
from app.services.audit import record
from app.services.automations.settings import saved_opening_hours
from app.services.notifications.schedule import parse_offsets
from app.services.notifications.templates import default_body
from app.services.settings.credentials import Proof, prove_claim
from app.services.settings.widget import is_http_url, widget_snippet

WEBHOOK_PATH = "/api/webhooks/chatwoot"
WEBHOOK_EVENTS = ("message_created", "message_updated", "conversation_created", "conversation_updated",
                  "conversation_status_changed", "contact_created", "contact_updated")
SOURCE_ENV = "environment"
CHANNEL_INBOX_COLUMNS = ("whatsapp_inbox_id", "sms_inbox_id", "email_inbox_id")
# The seed's per-channel switches: a notification on a switched-off channel is skipped with the reason.
CHANNEL_SWITCH_COLUMNS = ("whatsapp_enabled", "sms_enabled", "email_enabled")
RECENT_CHANGES = 10


class SettingsRefused(Exception):
    """A settings change that is not allowed; `message` says why and nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Secret:
    """Whether a secret is set, where it comes from, whether it sits unencrypted in the database, and whether
    it is stored encrypted with a key no longer configured (the user must re-enter it)."""

    is_set: bool
    source: str | None
    unencrypted: bool
    unreadable: bool = False


@dataclass(frozen=True)
class Widget:
    base_url: str | None
    website_token: str | None
    sources: dict[str, str | None]
    snippet: str | None


@dataclass
class SettingsState:
    tenant: Tenant
    settings: NotificationSettings
    config: ChatwootConfig
    effective: ChatwootSettings
    token: Secret
    webhook_secret: Secret
    webhook_url: str
    webhook_token_url: str
    widget: Widget
    templates: dict[str, NotificationTemplate | None]
    api_keys: list[ApiKey]
    recent_changes: list[AuditLog]
    quiet_follows_schedule: bool  # once opening hours are set, quiet hours are the hours the salon is closed


def rows(tenant: Tenant) -> tuple[NotificationSettings, ChatwootConfig]:
    """The tenant's two settings rows, created when SQL left one out."""
    settings, config = tenant_rows(tenant.id)
    if settings is None:
        settings = NotificationSettings(tenant_id=tenant.id)
        db.session.add(settings)
    if config is None:
        config = ChatwootConfig(tenant_id=tenant.id)
        db.session.add(config)
    db.session.flush()
    return settings, config


def _rows_for_saving(tenant: Tenant) -> tuple[NotificationSettings, ChatwootConfig]:
    """The rows about to be saved; a secret that SQL left in plaintext is encrypted with this save."""
    found = rows(tenant)
    for row in found:
        for column in row.plaintext_secrets():
            setattr(row, column, encrypt(getattr(row, column)))
    return found


def load_state(tenant: Tenant) -> SettingsState:
    """Everything the settings page shows, without any secret value."""
    settings, config = rows(tenant)
    effective = resolve_settings(tenant.id)
    base = app_base_url()
    return SettingsState(
        tenant=tenant, settings=settings, config=config, effective=effective,
        token=_token_secret(settings, config, effective), webhook_secret=_webhook_secret(config),
        webhook_url=base + WEBHOOK_PATH, webhook_token_url=f"{base}{WEBHOOK_PATH}/{config.webhook_token}",
        widget=_widget(config), templates=_templates(tenant.id), api_keys=_api_keys(tenant.id),
        recent_changes=recent_changes(tenant.id), quiet_follows_schedule=saved_opening_hours(tenant.id) is not None)


def _token_secret(settings: NotificationSettings, config: ChatwootConfig, effective: ChatwootSettings) -> Secret:
    source = effective.sources.get("api_token")
    plain = {"notification_settings": "chatwoot_api_token" in settings.plaintext_secrets(),
             "chatwoot_configs": "api_access_token" in config.plaintext_secrets()}
    unreadable = "api_token" in effective.unreadable
    return Secret(is_set=bool(effective.api_token) or unreadable, source=source,
                  unencrypted=plain.get(source, False), unreadable=unreadable)


def _webhook_secret(config: ChatwootConfig) -> Secret:
    if config.webhook_secret:
        return Secret(True, "chatwoot_configs", "webhook_secret" in config.plaintext_secrets(),
                      unreadable=not is_readable(config.webhook_secret))
    if current_app.config.get("CHATWOOT_WEBHOOK_SECRET"):
        return Secret(True, SOURCE_ENV, False)
    return Secret(False, None, False)


def _widget(config: ChatwootConfig) -> Widget:
    values, sources = {}, {}
    for name, env in (("base_url", "CHATWOOT_BASE_URL"), ("website_token", "CHATWOOT_WEBSITE_TOKEN")):
        own = (getattr(config, name) or "").strip()
        values[name] = own or current_app.config.get(env) or None
        sources[name] = "chatwoot_configs" if own else (SOURCE_ENV if values[name] else None)
    snippet = widget_snippet(values["base_url"], values["website_token"])
    return Widget(values["base_url"], values["website_token"], sources, snippet)


def _templates(tenant_id: str) -> dict[str, NotificationTemplate | None]:
    found = db.session.scalars(select(NotificationTemplate).where(NotificationTemplate.tenant_id == tenant_id))
    by_type = {row.type: row for row in found}
    return {t.value: by_type.get(t.value) for t in NotificationType}


def _api_keys(tenant_id: str) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    return list(db.session.scalars(query))


def recent_changes(tenant_id: str, limit: int = RECENT_CHANGES) -> list[AuditLog]:
    """The newest settings changes of a tenant (who and when)."""
    query = (select(AuditLog).where(AuditLog.tenant_id == tenant_id, AuditLog.action.like("settings.%"))
             .order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit))
    return list(db.session.scalars(query))


# -- saving -------------------------------------------------------------------------------------


def _assign(row: Any, values: dict[str, Any]) -> dict[str, list]:
    """Set the columns that differ; {column: [old, new]} of what changed."""
    changed = {}
    for column, value in values.items():
        old = getattr(row, column)
        if old != value:
            setattr(row, column, value)
            changed[column] = [old, value]
    return changed


def _record(tenant: Tenant, user: User, action: str, changed: dict, **details) -> None:
    if changed or details:
        record(action, tenant_id=tenant.id, by=user, target_type="tenant", target_id=tenant.id, changed=changed,
               **details)
    db.session.flush()


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def save_credentials(tenant: Tenant, user: User, *, api_url: str | None, account_id: str | None,
                     inbox_id: str | None, token: str | None = None) -> Proof | None:
    """Write the API credentials into notification_settings (seed option A); an empty token keeps the old one.

    Chatwoot confirms the claimed account first (ClaimRefused otherwise, nothing written): the proof
    reads and calls before this function writes anything.
    """
    url = _clean(api_url)
    values = {"chatwoot_api_url": url.rstrip("/") if url else None, "chatwoot_account_id": _clean(account_id),
              "chatwoot_inbox_id": _clean(inbox_id)}
    replaced = bool(_clean(token))
    proof = prove_claim(tenant.id, values | ({"chatwoot_api_token": _clean(token)} if replaced else {}))
    settings, _config = _rows_for_saving(tenant)
    changed = _assign(settings, values)
    if replaced:
        settings.chatwoot_api_token = _clean(token)
    details = {"token_replaced": True} if replaced else {}
    if proof:
        details["account_proven"] = {"account_id": proof.account_id, "role": proof.role}
    _record(tenant, user, "settings.credentials", changed, **details)
    return proof


def save_widget(tenant: Tenant, user: User, *, base_url: str | None, website_token: str | None) -> None:
    """Write the website widget settings into chatwoot_configs; the base URL must be an http(s) address."""
    url = _clean(base_url)
    if url and not is_http_url(url):
        raise SettingsRefused(f"The widget's Chatwoot URL must be an http:// or https:// address: {excerpt(url)}")
    _settings, config = _rows_for_saving(tenant)
    changed = _assign(config, {"base_url": url.rstrip("/") if url else None, "website_token": _clean(website_token)})
    _record(tenant, user, "settings.widget", changed)


def save_webhook_secret(tenant: Tenant, user: User, secret: str) -> None:
    """Store the signing secret pasted from Chatwoot (encrypted on flush)."""
    _settings, config = _rows_for_saving(tenant)
    config.webhook_secret = secret.strip()
    _record(tenant, user, "settings.webhook_secret", {}, secret_replaced=True)


def rotate_webhook_token(tenant: Tenant, user: User) -> str:
    """A new unguessable token for the token URL; the old URL stops working at once."""
    _settings, config = _rows_for_saving(tenant)
    config.webhook_token = new_webhook_token()
    _record(tenant, user, "settings.webhook_token_rotated", {}, rotated=True)
    return config.webhook_token


def save_toggles(tenant: Tenant, user: User, *, chatwoot_enabled: bool, accept_unsigned: bool,
                 auto_create: bool, accept_contact_edits: bool = False) -> None:
    """The Chatwoot channel switch, unsigned deliveries, automatic client creation and edits flowing back.

    Only an administrator may turn on unsigned deliveries (SettingsRefused for staff, nothing written);
    anyone may turn them off.
    """
    settings, config = _rows_for_saving(tenant)
    if accept_unsigned and not config.accept_unsigned_webhooks and not user.is_admin:
        raise SettingsRefused("Only an administrator may turn on unsigned webhook deliveries.")
    changed = _assign(settings, {"chatwoot_enabled": chatwoot_enabled})
    changed |= _assign(config, {"accept_unsigned_webhooks": accept_unsigned, "auto_create_clients": auto_create,
                                "accept_contact_edits": accept_contact_edits})
    _record(tenant, user, "settings.toggles", changed)


def save_reminders(tenant: Tenant, user: User, *, offsets_minutes: list[int], quiet_start: str | None,
                   quiet_end: str | None, sends: dict[str, bool]) -> None:
    """Reminder offsets (minutes before the appointment), quiet hours and which notices are sent."""
    settings, _config = _rows_for_saving(tenant)
    offsets = ",".join(str(m) for m in sorted(set(offsets_minutes), reverse=True))
    values = {"reminder_offsets_minutes": offsets, "quiet_hours_start": _clean(quiet_start),
              "quiet_hours_end": _clean(quiet_end)}
    values |= {f"send_{name}": bool(on) for name, on in sends.items()}
    _record(tenant, user, "settings.reminders", _assign(settings, values))


def format_offsets(stored: str | None) -> str:
    """'1440,120' → '24 h, 2 h'; minutes that are not whole hours stay in minutes."""
    return ", ".join(f"{m // 60} h" if m % 60 == 0 else f"{m} min" for m in parse_offsets(stored))


def save_template(tenant: Tenant, user: User, notification_type: str, body: str | None) -> None:
    """The tenant's own text for one type; an empty body (or the default text itself) returns to the default."""
    row = db.session.scalar(select(NotificationTemplate).where(
        NotificationTemplate.tenant_id == tenant.id, NotificationTemplate.type == notification_type))
    text = (body or "").strip()
    if not text or text == default_body(notification_type):
        if row is not None:
            db.session.delete(row)
            _record(tenant, user, "settings.template", {}, type=notification_type, reset=True)
        return
    if row is None:
        row = NotificationTemplate(tenant_id=tenant.id, type=notification_type, body="")
        db.session.add(row)
    changed = _assign(row, {"body": text})
    if changed:
        _record(tenant, user, "settings.template", {}, type=notification_type)


def save_whatsapp_templates(tenant: Tenant, user: User, mapping: dict[str, dict | None]) -> None:
    """Approved WhatsApp templates per type ({name, language, params}); None removes a type's mapping."""
    settings, _config = _rows_for_saving(tenant)
    current = dict(settings.whatsapp_templates or {})
    for notification_type, template in mapping.items():
        if template:
            current[notification_type] = template
        else:
            current.pop(notification_type, None)
    _record(tenant, user, "settings.whatsapp_templates", _assign(settings, {"whatsapp_templates": current}))


def save_channel_inboxes(tenant: Tenant, user: User, inboxes: dict[str, str | bool | None]) -> None:
    """The WhatsApp, SMS and e-mail channels: each one's switch and the Chatwoot inbox that carries it."""
    settings, _config = _rows_for_saving(tenant)
    values: dict[str, Any] = {column: _clean(inboxes.get(column)) for column in CHANNEL_INBOX_COLUMNS}
    values.update({column: bool(inboxes.get(column)) for column in CHANNEL_SWITCH_COLUMNS})
    _record(tenant, user, "settings.channel_inboxes", _assign(settings, values))
