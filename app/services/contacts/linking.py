"""Linking a booking client to a Chatwoot contact, and the custom attributes agents see."""

from __future__ import annotations

import hashlib
import json
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.chatwoot.client import ChatwootClient
from app.chatwoot.errors import ChatwootAuthError, ChatwootValidationError
from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    ChatwootConfig,
    Client,
    Tenant,
    utcnow,
)
from app.services.audit import record

# The keys we own on a Chatwoot contact; Chatwoot merges them with whatever else the contact has.
ATTRIBUTE_DEFINITIONS = (
    ("client_id", "CitaPlanner: cliente", "text"),
    ("tenant_id", "CitaPlanner: salón", "text"),
    ("client_name", "CitaPlanner: nombre", "text"),
    ("total_appointments", "CitaPlanner: citas totales", "number"),
    ("last_appointment", "CitaPlanner: última cita", "date"),
    ("next_appointment", "CitaPlanner: próxima cita", "date"),
)
ATTRIBUTE_KEYS = [key for key, _, _ in ATTRIBUTE_DEFINITIONS]
COUNTED = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED, AppointmentStatus.COMPLETED)


def _iso_local(value, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).isoformat(timespec="minutes") if value else None


def client_attributes(client: Client) -> dict:
    """The custom attributes for one client (appointment counts, last and next appointment)."""
    return attributes_for_clients([client])[client.id]


def _per_client(column, *conditions) -> dict:
    """{client_id: aggregate} for the rows matching the conditions."""
    query = select(Appointment.client_id, column).where(*conditions).group_by(Appointment.client_id)
    return dict(db.session.execute(query).all())


def attributes_for_clients(clients: list[Client]) -> dict[str, dict]:
    """client_attributes for many clients of one tenant: three grouped queries, not three per client."""
    if not clients:
        return {}
    tenant = db.session.get(Tenant, clients[0].tenant_id)
    tz, now = ZoneInfo(tenant.timezone), utcnow()
    mine = Appointment.client_id.in_([c.id for c in clients])
    counted = Appointment.status.in_(COUNTED)
    totals = _per_client(func.count(), mine, counted)
    lasts = _per_client(func.max(Appointment.starts_at), mine, counted, Appointment.starts_at < now)
    upcoming = _per_client(func.min(Appointment.starts_at), mine, Appointment.starts_at >= now,
                           Appointment.status.in_((AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)))
    return {c.id: {"client_id": c.id, "tenant_id": c.tenant_id, "client_name": c.full_name,
                   "total_appointments": totals.get(c.id, 0), "last_appointment": _iso_local(lasts.get(c.id), tz),
                   "next_appointment": _iso_local(upcoming.get(c.id), tz)} for c in clients}


def attributes_hash(attributes: dict) -> str:
    return hashlib.sha256(json.dumps(attributes, sort_keys=True).encode()).hexdigest()


def push_attributes(api: ChatwootClient, client: Client, attributes: dict | None = None) -> bool:
    """Send the client's attributes to its contact when they changed since the last push."""
    attributes = attributes or client_attributes(client)
    digest = attributes_hash(attributes)
    if digest == client.chatwoot_attributes_hash:
        return False
    api.update_contact(client.chatwoot_contact_id, custom_attributes=attributes)
    client.chatwoot_attributes_hash = digest
    return True


def ensure_attribute_definitions(api: ChatwootClient, config: ChatwootConfig) -> None:
    """Define our attributes once per account when the token may; carry on without them otherwise."""
    if config.attribute_definitions_ready:
        return
    try:
        existing = {d.get("attribute_key") for d in api.list_attribute_definitions()}
        for key, label, display_type in ATTRIBUTE_DEFINITIONS:
            if key not in existing:
                try:
                    api.create_attribute_definition(key, label, display_type, "Sincronizado por CitaPlanner")
                except ChatwootValidationError as exc:
                    if not exc.already_taken:
                        raise
    except (ChatwootAuthError, ChatwootValidationError):
        return  # agents' tokens cannot define attributes; contacts accept the keys anyway
    config.attribute_definitions_ready = True



class ContactLinkedElsewhere(Exception):
    """The Chatwoot contact is already linked to another client of the salon (one contact, one client)."""

    def __init__(self, contact_id: str, owner: Client):
        super().__init__(f"Chatwoot contact {contact_id} is already linked to client {owner.id}")
        self.contact_id, self.owner = contact_id, owner


def contact_owner(tenant_id: str, contact_id: str) -> Client | None:
    """The tenant's client linked to this Chatwoot contact (the unique (tenant_id, chatwoot_contact_id))."""
    return db.session.scalar(select(Client).where(Client.tenant_id == tenant_id,
                                                  Client.chatwoot_contact_id == str(contact_id)))


def link_client(api: ChatwootClient | None, client: Client, contact_id: str, actor: str,
                user_id: str | None = None) -> None:
    """Store the link, push the attributes (when a client API is given) and audit who did it.

    Refuses (ContactLinkedElsewhere) a contact that another client holds: moving a link is a decision
    a person confirms (see unmatched.link_unmatched), never a side effect.
    """
    owner = contact_owner(client.tenant_id, contact_id)
    if owner is not None and owner.id != client.id:
        raise ContactLinkedElsewhere(str(contact_id), owner)
    previous = client.chatwoot_contact_id
    client.chatwoot_contact_id = str(contact_id)
    client.chatwoot_linked_at = utcnow()
    if previous != client.chatwoot_contact_id:
        client.chatwoot_attributes_hash = None
    if api is not None:
        push_attributes(api, client)
    record("client.link", tenant_id=client.tenant_id, by=actor, user_id=user_id, target_type="client",
           target_id=client.id, contact_id=str(contact_id), previous=previous)
    db.session.flush()


def unlink_client(api: ChatwootClient | None, client: Client, actor: str, user_id: str | None = None) -> None:
    """Remove the link and clear our attributes from the contact."""
    contact_id = client.chatwoot_contact_id
    if contact_id and api is not None:
        api.delete_contact_attributes(contact_id, ATTRIBUTE_KEYS)
    client.chatwoot_contact_id = None
    client.chatwoot_attributes_hash = None
    client.chatwoot_linked_at = None
    record("client.unlink", tenant_id=client.tenant_id, by=actor, user_id=user_id, target_type="client",
           target_id=client.id, contact_id=contact_id)
    db.session.flush()
