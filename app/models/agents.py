"""The agents' side (INTERFACES §9): stylists mapped to Chatwoot agents, and conversations already assigned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin


class StylistAgent(IdMixin, TimestampMixin, Base):
    """A CitaPlanner staff name (appointments.staff_name) answered in Chatwoot by this agent."""

    __repr_columns__ = ("staff_name", "agent_id")
    __tablename__ = "stylist_agents"
    __table_args__ = (UniqueConstraint("tenant_id", "staff_name"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    staff_name: Mapped[str] = mapped_column(String(200))
    agent_id: Mapped[int] = mapped_column(Integer)


class ConversationAssignment(IdMixin, Base):
    """One row per conversation we assigned (or decided to leave): one assignment call per conversation."""

    __repr_columns__ = ("conversation_id", "agent_id", "team_id")
    __tablename__ = "conversation_assignments"
    __table_args__ = (UniqueConstraint("tenant_id", "conversation_id"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str | None] = mapped_column(String(40))
    agent_id: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(Integer)
    assigned_at: Mapped[datetime | None]


class QuickReply(IdMixin, TimestampMixin, Base):
    """One of our message templates published as a Chatwoot canned response (only these are ours to edit)."""

    __repr_columns__ = ("short_code", "canned_response_id")
    __tablename__ = "quick_replies"
    __table_args__ = (UniqueConstraint("tenant_id", "short_code"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    short_code: Mapped[str] = mapped_column(String(60))
    canned_response_id: Mapped[int] = mapped_column(Integer)
