"""Conversation automations: per-tenant settings, the replies they send, the booking callback's deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin
from app.models.settings import SecretColumnsMixin


class AutomationSettings(SecretColumnsMixin, IdMixin, TimestampMixin, Base):
    """A tenant's switches and texts; a None text means the default text in code."""

    __tablename__ = "automation_settings"
    __secret_columns__ = ("callback_secret",)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), unique=True)
    confirm_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    confirm_text: Mapped[str | None] = mapped_column(Text)
    cancel_text: Mapped[str | None] = mapped_column(Text)
    optout_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    optout_text: Mapped[str | None] = mapped_column(Text)
    optin_text: Mapped[str | None] = mapped_column(Text)
    out_of_hours_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    out_of_hours_text: Mapped[str | None] = mapped_column(Text)
    # {"0": [["10:00", "14:00"], ["16:00", "20:00"]], ...}: Monday is "0"; an empty dict means no schedule.
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # ["2026-12-25", ...]: whole days closed in the salon's time zone.
    closed_dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    callback_url: Mapped[str | None] = mapped_column(String(500))
    callback_secret: Mapped[str | None] = mapped_column(Text)


class AutomationReply(IdMixin, TimestampMixin, Base):
    """One answer to a customer; (tenant, kind, dedupe_key) unique so a redelivered message is answered once."""

    __repr_columns__ = ("kind", "status")
    __tablename__ = "automation_replies"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "dedupe_key"),
        Index("ix_automation_replies_status_created_at", "status", "created_at"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"), index=True)
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"))
    conversation_id: Mapped[str] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    chatwoot_message_id: Mapped[str | None] = mapped_column(String(40))
    sent_at: Mapped[datetime | None]


class CallbackDelivery(IdMixin, TimestampMixin, Base):
    """One signed POST to the tenant's booking system, retried with backoff for up to 24 hours."""

    __repr_columns__ = ("event", "status", "attempts")
    __tablename__ = "callback_deliveries"
    __table_args__ = (
        Index("ix_callback_deliveries_tenant_id_created_at", "tenant_id", "created_at"),
        Index("ix_callback_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"))
    event: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    response_status: Mapped[int | None] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
