"""The interaction log, webhook deliveries, the unmatched-contact queue and sync runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin, utcnow
from app.models.enums import SyncStatus, UnmatchedStatus, WebhookStatus


class ChatwootInteraction(IdMixin, Base):
    __tablename__ = "chatwoot_interactions"
    __table_args__ = (
        Index("ix_chatwoot_interactions_tenant_id_created_at_id", "tenant_id", "created_at", "id"),
        Index("ix_chatwoot_interactions_client_id_created_at", "client_id", "created_at"),
        # Filters of the interaction log: ending in (created_at, id) they serve its keyset order too.
        Index("ix_chatwoot_interactions_tenant_id_event_created_at_id", "tenant_id", "event", "created_at", "id"),
        Index("ix_chatwoot_interactions_tenant_id_client_id_created_at_id", "tenant_id", "client_id", "created_at",
              "id"),
        Index("ix_chatwoot_interactions_tenant_id_chatwoot_contact_id", "tenant_id", "chatwoot_contact_id"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    client_id: Mapped[str | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    chatwoot_contact_id: Mapped[str | None] = mapped_column(String(40))
    conversation_id: Mapped[str | None] = mapped_column(String(40))
    message_id: Mapped[str | None] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(60))
    direction: Mapped[str] = mapped_column(String(16), default="system")
    content_preview: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEvent(IdMixin, Base):
    """One accepted webhook delivery, kept whole so nothing is lost and anything can be replayed."""

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


class UnmatchedContact(IdMixin, TimestampMixin, Base):
    """A Chatwoot contact we could not link to a client on our own; staff decide."""

    __tablename__ = "unmatched_contacts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "chatwoot_contact_id"),
        Index("ix_unmatched_contacts_tenant_id_status_last_seen_at", "tenant_id", "status", "last_seen_at"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    chatwoot_contact_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(20))
    candidate_client_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_message_preview: Mapped[str | None] = mapped_column(String(500))
    conversation_id: Mapped[str | None] = mapped_column(String(40))
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=UnmatchedStatus.WAITING)
    resolved_client_id: Mapped[str | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    resolved_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncRun(IdMixin, TimestampMixin, Base):
    """One "sync all clients to Chatwoot" run; the progress bar renders this row."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_tenant_id_created_at", "tenant_id", "created_at"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=SyncStatus.QUEUED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    linked: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    searches: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    started_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
