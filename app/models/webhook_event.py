"""Stored webhook deliveries: the truth the worker processes (dedupe, lease, retries)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, utcnow
from app.models.enums import WebhookStatus


class WebhookEvent(IdMixin, Base):
    """One accepted webhook delivery, kept whole so nothing is lost and anything can be replayed."""

    __repr_columns__ = ("event", "status")
    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "dedupe_key"),
        Index("ix_webhook_events_tenant_id_received_at_id", "tenant_id", "received_at", "id"),
        Index("ix_webhook_events_status_leased_until", "status", "leased_until"),
        # The status filter of the webhooks page; ending in (received_at, id) it serves the keyset order too.
        Index("ix_webhook_events_tenant_id_status_received_at_id", "tenant_id", "status", "received_at", "id"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(60))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    raw_body: Mapped[str] = mapped_column(Text)
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=WebhookStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    leased_until: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
