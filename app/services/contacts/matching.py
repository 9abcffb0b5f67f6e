"""Finding the booking client behind a phone number: an indexed lookup on the canonical key."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from app.extensions import db
from app.models import Client, Tenant
from app.phone import canonical_phone, configured_region


class MatchReason(StrEnum):
    MATCHED = "matched"
    NO_PHONE = "no_phone"
    INVALID_PHONE = "invalid_phone"
    NO_MATCH = "no_match"
    AMBIGUOUS = "ambiguous"


@dataclass
class PhoneMatch:
    reason: MatchReason
    client: Client | None = None
    phone_key: str | None = None
    candidates: list[Client] = field(default_factory=list)


def tenant_region(tenant_id: str) -> str:
    return db.session.scalar(select(Tenant.phone_region).where(Tenant.id == tenant_id)) or configured_region()


def match_phone(phone: str | None, tenant_id: str, region: str | None = None) -> PhoneMatch:
    """Match a phone to one client of the tenant; several clients sharing it is ambiguous."""
    if not phone or not str(phone).strip():
        return PhoneMatch(MatchReason.NO_PHONE)
    key = canonical_phone(phone, region or tenant_region(tenant_id))
    if key is None:
        return PhoneMatch(MatchReason.INVALID_PHONE)
    # Uses uq_clients_tenant_id_phone_e164 (one client per number since migration 0008; rows the migration
    # found sharing a number had it cleared); the limit keeps a pathological number cheap.
    clients = db.session.scalars(
        select(Client).where(Client.tenant_id == tenant_id, Client.phone_e164 == key).order_by(Client.id).limit(6)
    ).all()
    if not clients:
        return PhoneMatch(MatchReason.NO_MATCH, phone_key=key)
    if len(clients) > 1:
        return PhoneMatch(MatchReason.AMBIGUOUS, phone_key=key, candidates=list(clients))
    return PhoneMatch(MatchReason.MATCHED, client=clients[0], phone_key=key, candidates=list(clients))
