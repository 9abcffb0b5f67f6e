"""A tenant's effective Chatwoot settings, resolved field by field (no network)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from sqlalchemy import select

from app.chatwoot.errors import ChatwootConfigError
from app.crypto import SecretDecryptError, reveal
from app.extensions import db
from app.models import ChatwootConfig, NotificationSettings, Tenant

SOURCE_SETTINGS = "notification_settings"
SOURCE_CONFIG = "chatwoot_configs"
SOURCE_ENV = "environment"

# (field, notification_settings column, chatwoot_configs column, environment variable)
FIELDS = (
    ("api_url", "chatwoot_api_url", "base_url", "CHATWOOT_API_URL"),
    ("api_token", "chatwoot_api_token", "api_access_token", "CHATWOOT_API_ACCESS_TOKEN"),
    ("account_id", "chatwoot_account_id", "account_id", "CHATWOOT_ACCOUNT_ID"),
    ("inbox_id", "chatwoot_inbox_id", "inbox_id", "CHATWOOT_INBOX_ID"),
)
SECRET_FIELDS = {"api_token"}


@dataclass(frozen=True)
class ChatwootSettings:
    tenant_id: str
    api_url: str | None
    api_token: str | None
    account_id: str | None
    inbox_id: str | None
    enabled: bool
    sources: dict[str, str | None]
    # Fields whose stored secret no configured key decrypts: the user must re-enter them.
    unreadable: tuple[str, ...] = ()

    def __repr__(self) -> str:  # never print the token
        return (f"ChatwootSettings(tenant_id={self.tenant_id!r}, api_url={self.api_url!r}, "
                f"account_id={self.account_id!r}, inbox_id={self.inbox_id!r}, enabled={self.enabled})")

    @property
    def missing(self) -> list[str]:
        return [name for name in ("api_url", "api_token", "account_id") if not getattr(self, name)]


def tenant_rows(tenant_id: str) -> tuple[NotificationSettings | None, ChatwootConfig | None]:
    settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant_id))
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant_id))
    return settings, config


_UNREADABLE = object()


def _clean(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def _value(row, column: str, secret: bool):
    """The column's value (a secret revealed), None when empty, _UNREADABLE when it cannot be decrypted."""
    if row is None:
        return None
    raw = getattr(row, column)
    try:
        return _clean(reveal(raw) if secret else raw)
    except SecretDecryptError:
        return _UNREADABLE


def resolve_settings(tenant_id: str, changes: dict[str, str | None] | None = None) -> ChatwootSettings:
    """Effective settings: notification_settings → chatwoot_configs → environment, per field.

    `changes` (notification_settings column → new plaintext value, None to clear) resolves the settings as
    they would be after a save, so a save can be checked before anything is written.
    """
    if db.session.get(Tenant, tenant_id) is None:
        raise ChatwootConfigError(f"no tenant {tenant_id}")
    settings, config = tenant_rows(tenant_id)
    changes = changes or {}
    values, sources, unreadable = {}, {}, []
    for name, settings_col, config_col, env_name in FIELDS:
        secret = name in SECRET_FIELDS
        own = _clean(changes[settings_col]) if settings_col in changes else _value(settings, settings_col, secret)
        candidates = ((SOURCE_SETTINGS, own),
                      (SOURCE_CONFIG, _value(config, config_col, secret)),
                      (SOURCE_ENV, current_app.config.get(env_name)))
        if name == "api_token" and sources["api_url"]:
            # The token comes from the source that supplied the URL: never sent to another source's URL.
            candidates = tuple((s, v) for s, v in candidates if s == sources["api_url"])
        values[name], sources[name] = next(((v, s) for s, v in candidates if v), (None, None))
        if values[name] is _UNREADABLE:  # never fall through to another source's token
            values[name] = None
            unreadable.append(name)
    if values["api_url"]:
        values["api_url"] = values["api_url"].rstrip("/")
    enabled = bool((settings and settings.chatwoot_enabled) or (config and config.enable_notifications))
    return ChatwootSettings(tenant_id=tenant_id, enabled=enabled, sources=sources, unreadable=tuple(unreadable),
                            **values)


def require_settings(tenant_id: str) -> ChatwootSettings:
    """Effective settings, or ChatwootConfigError naming every missing field."""
    resolved = resolve_settings(tenant_id)
    if resolved.unreadable:
        raise ChatwootConfigError("the stored Chatwoot API token cannot be decrypted with ENCRYPTION_KEYS: "
                                  "re-enter it")
    if resolved.missing:
        raise ChatwootConfigError("Chatwoot settings incomplete: missing " + ", ".join(resolved.missing))
    if not resolved.api_url.startswith(("http://", "https://")):
        raise ChatwootConfigError(f"Chatwoot API URL must start with http:// or https://: {resolved.api_url}")
    if not resolved.account_id.isdigit():
        raise ChatwootConfigError(f"Chatwoot account id must be a number: {resolved.account_id}")
    if resolved.inbox_id and not resolved.inbox_id.isdigit():
        raise ChatwootConfigError(f"Chatwoot inbox id must be a number: {resolved.inbox_id}")
    return resolved


def _check_number(label: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    if not value.isdigit():
        raise ChatwootConfigError(f"Chatwoot {label} must be a number: {value}")
    return value


def credential_values(*, api_url: str | None = None, account_id: str | None = None, inbox_id: str | None = None,
                      api_token: str | None = None) -> dict[str, str]:
    """The given API fields checked and cleaned, as notification_settings columns (fields not given left out)."""
    if api_token is not None and not api_token.strip():
        raise ChatwootConfigError("the API access token is empty")
    values = {"chatwoot_api_url": _check_url(api_url), "chatwoot_account_id": _check_number("account id", account_id),
              "chatwoot_inbox_id": _check_number("inbox id", inbox_id),
              "chatwoot_api_token": api_token.strip() if api_token else None}
    return {name: value for name, value in values.items() if value is not None}


def update_credentials(tenant_id: str, *, api_url: str | None = None, account_id: str | None = None,
                       inbox_id: str | None = None, api_token: str | None = None, webhook_secret: str | None = None,
                       enabled: bool | None = None) -> tuple[ChatwootConfig, list[str]]:
    """Change only the given fields (API ones in notification_settings, the webhook secret in
    chatwoot_configs; secrets encrypted on flush); returns the config row and the changed field names.

    This only writes: the entry points prove the claimed account first (services/settings/credentials.py).
    """
    settings, config = tenant_rows(tenant_id)
    if settings is None or config is None:
        raise ChatwootConfigError(f"no Chatwoot settings rows for tenant {tenant_id}")
    if webhook_secret is not None and not webhook_secret.strip():
        raise ChatwootConfigError("the webhook secret is empty")
    values = credential_values(api_url=api_url, account_id=account_id, inbox_id=inbox_id, api_token=api_token)
    if enabled is not None:
        values["chatwoot_enabled"] = enabled
    changed = list(values)
    for name, value in values.items():
        setattr(settings, name, value)
    if webhook_secret is not None:
        config.webhook_secret = webhook_secret.strip()
        changed.append("webhook_secret")
    if enabled is False:
        config.enable_notifications = False  # the channel is on when either row says so
    db.session.flush()
    return config, changed


def _check_url(api_url: str | None) -> str | None:
    if api_url is None:
        return None
    api_url = api_url.strip().rstrip("/")
    if not api_url.startswith(("http://", "https://")):
        raise ChatwootConfigError(f"Chatwoot API URL must start with http:// or https://: {api_url}")
    try:
        parts = urlsplit(api_url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:
        raise ChatwootConfigError(f"Chatwoot API URL is not a valid address: {api_url}") from None
    if not parts.hostname:
        raise ChatwootConfigError(f"Chatwoot API URL has no host: {api_url}")
    return api_url


def app_base_url() -> str:
    """APP_BASE_URL; when unset, the address the page was requested on, or http://127.0.0.1:$PORT for the CLI."""
    configured = (current_app.config.get("APP_BASE_URL") or "").rstrip("/")
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    return f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"


def webhook_urls(config: ChatwootConfig) -> tuple[str, str]:
    """The two URLs to paste into Chatwoot: the signed one and the per-tenant token one."""
    base = app_base_url()
    return f"{base}/api/webhooks/chatwoot", f"{base}/api/webhooks/chatwoot/{config.webhook_token}"
