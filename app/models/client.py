"""Booking clients (CitaPlanner's data, mirrored here)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from app.models.appointment import Appointment


class Client(IdMixin, TimestampMixin, Base):
    __repr_columns__ = ("first_name", "last_name", "phone_e164", "chatwoot_contact_id")
    __tablename__ = "clients"
    __table_args__ = (
        # CitaPlanner's own id is unique per salon, not across salons: two salons may both have "cli_1".
        UniqueConstraint("tenant_id", "external_id"),
        # One phone, one client per salon, on the canonical number (the seed's unique (phone, tenant_id)).
        UniqueConstraint("tenant_id", "phone_e164"),
        # One Chatwoot contact, one client (INTERFACES §7); unlinked clients (NULL) are not counted.
        UniqueConstraint("tenant_id", "chatwoot_contact_id"),
        Index("ix_clients_tenant_id_last_name_first_name", "tenant_id", "last_name", "first_name"),
        Index("ix_clients_tenant_id_first_name_last_name", "tenant_id", "first_name", "last_name"),
        Index("ix_clients_tenant_id_chatwoot_linked_at_id", "tenant_id", "chatwoot_linked_at", "id"),
        # The seed's send_notification(recipient_id=...) without a tenant: a CitaPlanner id in every salon.
        Index("ix_clients_external_id", "external_id"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # CitaPlanner's id (the /api/v1 path, the CSV id column); None for clients made here.
    external_id: Mapped[str | None] = mapped_column(String(40))
    first_name: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    marketing_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    chatwoot_contact_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # Hash of the custom attributes last pushed to Chatwoot: sync skips unchanged contacts.
    chatwoot_attributes_hash: Mapped[str | None] = mapped_column(String(64))
    chatwoot_linked_at: Mapped[datetime | None]
    # When the contact's custom attributes are owed a push (debounced after the last change); None: up to date.
    attributes_due_at: Mapped[datetime | None] = mapped_column(index=True)
    # Since when a push has been owed: caps the debounce, so a burst that never pauses still reaches Chatwoot.
    attributes_owed_since: Mapped[datetime | None]

    appointments: Mapped[list[Appointment]] = relationship(
        back_populates="client", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def ref(self) -> str:
        """The id the booking system knows this client by (ours when it has none)."""
        return self.external_id or self.id

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
