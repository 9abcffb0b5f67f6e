"""The interaction log: one row per processed Chatwoot message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, utcnow


class ChatwootInteraction(IdMixin, Base):
    __repr_columns__ = ("event", "direction")
    __tablename__ = "chatwoot_interactions"
    __table_args__ = (
        Index("ix_chatwoot_interactions_tenant_id_created_at_id", "tenant_id", "created_at", "id"),
        Index("ix_chatwoot_interactions_client_id_created_at", "client_id", "created_at"),
        # Filters of the interaction log: ending in (created_at, id) they serve its keyset order too.
        Index("ix_chatwoot_interactions_tenant_id_event_created_at_id", "tenant_id", "event", "created_at", "id"),
        Index("ix_chatwoot_interactions_tenant_id_client_id_created_at_id", "tenant_id", "client_id", "created_at",
              "id"),
        Index("ix_chatwoot_interactions_tenant_id_chatwoot_contact_id", "tenant_id", "chatwoot_contact_id"),
        # Webhooks: whether a message was logged (or sent by us), and the rows a receipt moves.
        Index("ix_chatwoot_interactions_tenant_id_message_id", "tenant_id", "message_id"),
        # Analytics: a conversation's first customer message and first reply by a person.
        Index("ix_chatwoot_interactions_tenant_id_conversation_id_created_at", "tenant_id", "conversation_id",
              "created_at"),
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
    # Who wrote an outgoing message: "person" (an agent, or the salon's phone app) or "automatic" (a bot,
    # an automation, this service). None for rows logged before analytics, counted as a person's.
    sender_kind: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
