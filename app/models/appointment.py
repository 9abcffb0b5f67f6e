"""Appointments of booking clients (CitaPlanner's data, mirrored here)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, IdMixin, TimestampMixin
from app.models.enums import AppointmentStatus

if TYPE_CHECKING:
    from app.models.client import Client


class Appointment(IdMixin, TimestampMixin, Base):
    __repr_columns__ = ("client_id", "starts_at", "status")
    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        Index("ix_appointments_client_id_starts_at", "client_id", "starts_at"),
        Index("ix_appointments_tenant_id_starts_at", "tenant_id", "starts_at"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # CitaPlanner's id, unique per salon (the primary key is ours).
    external_id: Mapped[str | None] = mapped_column(String(40))
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    service_name: Mapped[str] = mapped_column(String(200), default="")
    staff_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=AppointmentStatus.SCHEDULED)

    client: Mapped[Client] = relationship(back_populates="appointments")

    @property
    def ref(self) -> str:
        """The id the booking system knows this appointment by (ours when it has none)."""
        return self.external_id or self.id
