"""Daily analytics roll-ups: one row per tenant and salon-local day, computed by the worker from the log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, PrimaryKeyConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class AnalyticsDay(Base):
    """The interaction figures of one finished day (INTERFACES §10); a missing row is computed live.

    A late event that changes a finished day deletes its row, so the worker computes it again.
    """

    __repr_columns__ = ("day", "messages_in", "messages_out")
    __tablename__ = "analytics_days"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "day"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    messages_in: Mapped[int] = mapped_column(Integer)
    messages_out: Mapped[int] = mapped_column(Integer)
    # Seconds from a conversation's first customer message to the first reply by a person, one per
    # conversation that started that day and got one: the period's median and p90 come from all of them.
    response_seconds: Mapped[list] = mapped_column(JSON)
    conversations_unanswered: Mapped[int] = mapped_column(Integer)
    new_customers: Mapped[int] = mapped_column(Integer)
    booked_within_7d: Mapped[int] = mapped_column(Integer)
    booked_new_clients: Mapped[int] = mapped_column(Integer)  # of those who booked: clients made after she wrote
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
