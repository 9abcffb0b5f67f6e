"""Outgoing notifications and their delivery state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, IdMixin, TimestampMixin
from app.models.client import Client
from app.models.enums import NotificationStatus


class Notification(IdMixin, TimestampMixin, Base):
    __repr_columns__ = ("type", "channel", "status")
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_notifications_tenant_id_created_at_id", "tenant_id", "created_at", "id"),
        # Filters of the notifications page; ending in (created_at, id) they serve the keyset order too.
        Index("ix_notifications_tenant_id_status_created_at_id", "tenant_id", "status", "created_at", "id"),
        Index("ix_notifications_tenant_id_type_created_at_id", "tenant_id", "type", "created_at", "id"),
        Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    client_id: Mapped[str | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"), index=True)
    appointment_id: Mapped[str | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"), index=True
    )
    # A test message typed for a number no client has: the number (client_id is then empty).
    to_phone: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=NotificationStatus.PENDING)
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    # Hash of the request that used the key: the same key with another body is refused, not answered.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    scheduled_for: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    leased_until: Mapped[datetime | None]
    chatwoot_contact_id: Mapped[str | None] = mapped_column(String(40))
    chatwoot_conversation_id: Mapped[str | None] = mapped_column(String(40))
    chatwoot_message_id: Mapped[str | None] = mapped_column(String(40), index=True)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]

    client: Mapped[Client | None] = relationship()


class ClientDeliveryLock(Base):
    """A leased lock per client: one delivery at a time resolves its contact and conversation.

    A lease row rather than SELECT … FOR UPDATE: it holds across threads and processes on SQLite and
    PostgreSQL alike, keeps no transaction open during Chatwoot calls, and frees itself when a worker dies.
    """

    __tablename__ = "client_delivery_locks"

    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    leased_until: Mapped[datetime | None]
