"""The unmatched-contact queue: Chatwoot contacts waiting for staff to link them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin, utcnow
from app.models.enums import UnmatchedStatus


class UnmatchedContact(IdMixin, TimestampMixin, Base):
    """A Chatwoot contact we could not link to a client on our own; staff decide."""

    __repr_columns__ = ("chatwoot_contact_id", "phone", "status")
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
