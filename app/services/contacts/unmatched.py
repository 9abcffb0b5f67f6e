"""The unmatched-contact queue: people who wrote but could not be linked on their own; staff decide.

The worker records them; the dashboard links one to a client, creates a client from it, or dismisses it.
Every decision is audited with who and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.chatwoot.errors import ChatwootConfigError
from app.chatwoot.payloads import ContactInfo
from app.chatwoot.settings import ChatwootSettings, require_settings
from app.extensions import db
from app.models import Client, ContactTask, Tenant, UnmatchedContact, UnmatchedStatus, User, new_id, utcnow
from app.services.audit import record
from app.services.clients.records import upsert_client
from app.services.contacts.interactions import preview
from app.services.contacts.linking import contact_owner, link_client, unlink_client
from app.services.contacts.matching import MatchReason, match_phone
from app.services.contacts.tasks import queue_task

CLIENT_FIELDS = ("first_name", "last_name", "phone", "email", "marketing_opt_out")
RESOLVED = (UnmatchedStatus.LINKED, UnmatchedStatus.CREATED)


class UnmatchedError(ValueError):
    """The queue action cannot be done; str() says why."""


class UnmatchedNotFound(UnmatchedError):
    """No such unmatched contact (or client) in this tenant: the dashboard answers 404."""


def clip(text: str | None, length: int) -> str | None:
    return text[:length] if text else None


def find_unmatched(tenant_id: str, contact_id: str) -> UnmatchedContact | None:
    return db.session.scalar(select(UnmatchedContact).where(
        UnmatchedContact.tenant_id == tenant_id, UnmatchedContact.chatwoot_contact_id == str(contact_id)))


def record_unmatched(tenant_id: str, contact: ContactInfo, reason: str, *, phone_key: str | None = None,
                     candidate_ids: list[str] | tuple[str, ...] = (), message: str | None = None,
                     conversation_id: str | None = None, seen_at: datetime | None = None,
                     count_message: bool = True) -> UnmatchedContact:
    """Create or refresh the contact's row; the newest message sets the preview, older ones only count."""
    seen_at = seen_at or utcnow()
    row = _unmatched_row(tenant_id, contact.id, reason, seen_at)
    if row.status in RESOLVED:  # the link was undone since: the contact waits again
        row.status = UnmatchedStatus.WAITING
        row.resolved_client_id = row.resolved_by_id = row.resolved_at = None
    row.name = clip(contact.name, 200) or row.name
    row.phone, row.phone_e164 = clip(contact.phone, 40), phone_key
    row.email = clip(contact.email, 254) or row.email
    row.reason, row.candidate_client_ids = reason, list(candidate_ids)
    if count_message:  # counted in SQL: concurrent workers never lose an increment
        row.message_count = UnmatchedContact.message_count + 1
    if message is not None and seen_at >= row.last_seen_at:
        row.last_message_preview = clip(preview(message), 500)
        row.conversation_id, row.last_seen_at = conversation_id or row.conversation_id, seen_at
    db.session.flush()
    return row


def _unmatched_row(tenant_id: str, contact_id: str, reason: str, seen_at: datetime) -> UnmatchedContact:
    """The contact's row, created when missing; a concurrent worker creating it first is no error."""
    row = find_unmatched(tenant_id, contact_id)
    if row is not None:
        return row
    now = utcnow()
    table = UnmatchedContact.__table__
    dialect_insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(dialect_insert(table).values(
        id=new_id(), tenant_id=tenant_id, chatwoot_contact_id=str(contact_id), message_count=0,
        reason=reason, status=UnmatchedStatus.WAITING, last_seen_at=seen_at, candidate_client_ids=[], created_at=now,
        updated_at=now).on_conflict_do_nothing(index_elements=["tenant_id", "chatwoot_contact_id"]))
    return find_unmatched(tenant_id, contact_id)


def resolve_by_match(tenant_id: str, contact_id: str, client: Client) -> None:
    """A waiting row whose contact the worker has now linked on its own (e.g. a phone added later)."""
    row = find_unmatched(tenant_id, contact_id)
    if row is not None and row.status == UnmatchedStatus.WAITING:
        row.status, row.resolved_client_id, row.resolved_at = UnmatchedStatus.LINKED, client.id, utcnow()


def _open_row(tenant: Tenant, unmatched_id: str) -> UnmatchedContact:
    row = db.session.scalar(select(UnmatchedContact).where(
        UnmatchedContact.id == unmatched_id, UnmatchedContact.tenant_id == tenant.id))
    if row is None:
        raise UnmatchedNotFound(f"no unmatched contact {unmatched_id} in this salon")
    if row.status in RESOLVED:
        raise UnmatchedError(f"this contact was already resolved ({row.status})")
    return row


def _settings(tenant: Tenant) -> ChatwootSettings:
    """The tenant's Chatwoot settings, or a clear error: a link without its attribute push is half a link."""
    try:
        return require_settings(tenant.id)
    except ChatwootConfigError as exc:
        raise ChatwootConfigError(f"Chatwoot is not configured for this salon, so the client's attributes "
                                  f"cannot be pushed to the contact: {exc.message}") from exc


@dataclass
class LinkOutcome:
    """A stored link and the worker's task for its Chatwoot side; what a move changed, to say so."""

    client: Client
    task: ContactTask
    left_contact_id: str | None = None  # the contact the client was linked to before (attributes cleared)
    previous_owner: Client | None = None  # the client that held this contact before (now unlinked)


class MoveNeedsConfirmation(UnmatchedError):
    """Linking would move an existing link: a person confirms first."""

    def __init__(self, client: Client, row: UnmatchedContact, previous_owner: Client | None):
        super().__init__(f"client {client.id} is linked to contact {client.chatwoot_contact_id}"
                         if client.chatwoot_contact_id else
                         f"contact {row.chatwoot_contact_id} is linked to client {previous_owner.id}")
        self.client, self.row, self.previous_owner = client, row, previous_owner


def _resolve(row: UnmatchedContact, status: str, user: User, client: Client | None = None) -> None:
    row.status, row.resolved_by_id, row.resolved_at = status, user.id, utcnow()
    row.resolved_client_id = client.id if client else None
    record(f"unmatched.{status}", tenant_id=row.tenant_id, by=user, target_type="unmatched_contact",
           target_id=row.id, contact_id=row.chatwoot_contact_id, client_id=row.resolved_client_id)
    db.session.flush()


def _tenant_client(tenant: Tenant, client_id: str) -> Client:
    client = db.session.scalar(select(Client).where(Client.id == client_id, Client.tenant_id == tenant.id))
    if client is None:
        raise UnmatchedNotFound(f"no client {client_id} in this salon")
    return client


def link_unmatched(tenant: Tenant, unmatched_id: str, client_id: str, user: User,
                   confirm_move: bool = False) -> LinkOutcome:
    """Link the waiting contact to a client; the attribute push (and clear, for a move) is the worker's.

    One contact, one client: when the client is linked to another contact, or the contact to another
    client, nothing changes until the move is confirmed; then the old link goes and our attributes are
    cleared from the contact the client left.
    """
    row = _open_row(tenant, unmatched_id)
    client = _tenant_client(tenant, client_id)
    _settings(tenant)
    contact_id = row.chatwoot_contact_id
    owner = contact_owner(tenant.id, contact_id)
    owner = owner if owner is not None and owner.id != client.id else None
    left = client.chatwoot_contact_id if client.chatwoot_contact_id not in (None, contact_id) else None
    if (left or owner) and not confirm_move:
        raise MoveNeedsConfirmation(client, row, owner)
    if owner is not None:  # its attributes on this contact are overwritten by the push below
        unlink_client(None, owner, user.email, user.id)
    link_client(None, client, contact_id, actor=user.email, user_id=user.id)
    task = queue_task(client, push_contact_id=contact_id, clear_contact_id=left, by=user)
    _resolve(row, UnmatchedStatus.LINKED, user, client)
    return LinkOutcome(client, task, left, owner)


def create_client_from_unmatched(tenant: Tenant, unmatched_id: str, data: dict, user: User) -> LinkOutcome:
    """Create a client from the waiting contact (form data overrides the contact's), then link it."""
    row = _open_row(tenant, unmatched_id)
    first, _, last = (row.name or "").partition(" ")
    fields = {"first_name": first, "last_name": last, "phone": row.phone, "email": row.email}
    fields.update({k: v for k, v in data.items() if k in CLIENT_FIELDS and v not in (None, "")})
    existing = match_phone(fields.get("phone"), tenant.id, tenant.phone_region)
    if existing.reason in (MatchReason.MATCHED, MatchReason.AMBIGUOUS):
        ids = ", ".join(c.id for c in existing.candidates)
        raise UnmatchedError(f"phone {fields.get('phone')} already belongs to client {ids}: link it instead")
    owner = contact_owner(tenant.id, row.chatwoot_contact_id)
    if owner is not None:
        raise UnmatchedError(f"Chatwoot contact {row.chatwoot_contact_id} is already linked to "
                             f"{owner.full_name}: link it instead")
    _settings(tenant)
    client = upsert_client(tenant, fields).obj
    record("client.create_from_unmatched", tenant_id=tenant.id, by=user, target_type="client", target_id=client.id,
           unmatched_id=row.id)
    link_client(None, client, row.chatwoot_contact_id, actor=user.email, user_id=user.id)
    task = queue_task(client, push_contact_id=row.chatwoot_contact_id, by=user)
    _resolve(row, UnmatchedStatus.CREATED, user, client)
    return LinkOutcome(client, task)


def dismiss_unmatched(tenant: Tenant, unmatched_id: str, user: User) -> UnmatchedContact:
    """Take the contact off the waiting list (spam, a supplier...); new messages still count."""
    row = _open_row(tenant, unmatched_id)
    if row.status != UnmatchedStatus.DISMISSED:
        _resolve(row, UnmatchedStatus.DISMISSED, user)
    return row
