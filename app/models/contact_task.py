"""Work on Chatwoot contacts that a dashboard action hands to the worker, and its outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin
from app.models.enums import ContactTaskStatus


class ContactTask(IdMixin, TimestampMixin, Base):
    """Clear our attributes from the contact a client left, then push them to the contact it is linked to.

    A link, unlink or move is committed at once; the Chatwoot calls are this row's job, and the page that
    started it polls the row for the outcome.
    """

    __tablename__ = "contact_tasks"
    __table_args__ = (Index("ix_contact_tasks_status_leased_until", "status", "leased_until"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"), index=True)
    push_contact_id: Mapped[str | None] = mapped_column(String(40))
    clear_contact_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default=ContactTaskStatus.PENDING)
    failed_step: Mapped[str | None] = mapped_column(String(8))  # "clear" or "push"
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    leased_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
