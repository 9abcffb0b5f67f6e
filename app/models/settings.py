"""Per-tenant integration settings: the seed's chatwoot_configs and notification_settings."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


class SecretColumnsMixin:
    """Columns listed in __secret_columns__ are encrypted on flush (see app.models.events)."""

    __secret_columns__: ClassVar[tuple[str, ...]] = ()

    def plaintext_secrets(self) -> list[str]:
        """Names of secret columns still stored unencrypted (written straight by SQL)."""
        from app.crypto import is_encrypted

        return [c for c in self.__secret_columns__ if getattr(self, c) and not is_encrypted(getattr(self, c))]


class ChatwootConfig(SecretColumnsMixin, IdMixin, TimestampMixin, Base):
    __repr_columns__ = ("tenant_id", "account_id")
    __tablename__ = "chatwoot_configs"
    __secret_columns__ = ("api_access_token", "webhook_secret")

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), unique=True)
    website_token: Mapped[str | None] = mapped_column(Text)
    base_url: Mapped[str | None] = mapped_column(String(500))
    api_access_token: Mapped[str | None] = mapped_column(Text)
    account_id: Mapped[str | None] = mapped_column(String(40))
    inbox_id: Mapped[str | None] = mapped_column(String(40))
    enable_notifications: Mapped[bool] = mapped_column(Boolean, default=False)
    webhook_secret: Mapped[str | None] = mapped_column(Text)
    webhook_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_webhook_token)
    accept_unsigned_webhooks: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_create_clients: Mapped[bool] = mapped_column(Boolean, default=False)
    # Agents' name/email edits in Chatwoot update the linked client (INTERFACES §9); off by default.
    accept_contact_edits: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who takes a linked client's conversation when her stylist maps to no agent (INTERFACES §9).
    default_agent_id: Mapped[int | None] = mapped_column(Integer)
    default_team_id: Mapped[int | None] = mapped_column(Integer)
    # The secret in the Dashboard App URL (/chatwoot/app/<panel_token>); rotating it retires the old URL.
    panel_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Last live credential check ("Test connection" / flask chatwoot check).
    last_check_at: Mapped[datetime | None]
    last_check_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_check_message: Mapped[str | None] = mapped_column(Text)
    inbox_name: Mapped[str | None] = mapped_column(String(200))
    inbox_channel_type: Mapped[str | None] = mapped_column(String(60))
    attribute_definitions_ready: Mapped[bool] = mapped_column(Boolean, default=False)


class NotificationSettings(SecretColumnsMixin, IdMixin, TimestampMixin, Base):
    __tablename__ = "notification_settings"
    __secret_columns__ = ("chatwoot_api_token",)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), unique=True)
    whatsapp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sms_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    push_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    chatwoot_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    chatwoot_api_url: Mapped[str | None] = mapped_column(String(500))
    chatwoot_api_token: Mapped[str | None] = mapped_column(Text)
    chatwoot_account_id: Mapped[str | None] = mapped_column(String(40))
    chatwoot_inbox_id: Mapped[str | None] = mapped_column(String(40))
    # Chatwoot inboxes that carry the WHATSAPP / SMS / EMAIL channels (None: not mapped).
    whatsapp_inbox_id: Mapped[str | None] = mapped_column(String(40))
    sms_inbox_id: Mapped[str | None] = mapped_column(String(40))
    email_inbox_id: Mapped[str | None] = mapped_column(String(40))
    # Approved WhatsApp templates per notification type: {"APPOINTMENT_REMINDER": {"name", "language",
    # "params": ["clientName", ...]}}; used outside the 24-hour window.
    whatsapp_templates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reminder_offsets_minutes: Mapped[str] = mapped_column(String(100), default="1440,120")
    quiet_hours_start: Mapped[str | None] = mapped_column(String(5), default="21:00")
    quiet_hours_end: Mapped[str | None] = mapped_column(String(5), default="08:00")
    send_confirmations: Mapped[bool] = mapped_column(Boolean, default=True)
    send_cancellations: Mapped[bool] = mapped_column(Boolean, default=True)
    send_reschedules: Mapped[bool] = mapped_column(Boolean, default=True)
    send_reminders: Mapped[bool] = mapped_column(Boolean, default=True)


class NotificationTemplate(IdMixin, TimestampMixin, Base):
    """A tenant's own text for one notification type (defaults live in code)."""

    __tablename__ = "notification_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "type"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
