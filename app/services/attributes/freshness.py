"""Fresh attributes (INTERFACES §9): any write to a linked client or its appointments owes a push.

Whoever writes (the /api/v1, a CSV import, the dashboard), the session hook below marks the client with
`attributes_due_at` in the same transaction and, when no push was pending, hands the worker a debounced
push through the outbox. Each further change within the window moves the due time on, so a burst ends
in one push of the latest state, DEBOUNCE after its last change; a burst that never pauses is still pushed
MAX_WAIT after its first change (the contract allows 60 s, and the worker needs a moment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Appointment, Client, utcnow
from app.queue import enqueue_after_commit
from app.services.contacts.linking import attributes_hash, client_attributes

DEBOUNCE = timedelta(seconds=10)
MAX_WAIT = timedelta(seconds=45)
PUSH_TASK = "push_client_attributes"
# A push still pending this long after its due time lost its queue message (or its worker).
SWEEP_GRACE = timedelta(seconds=30)
_CLIENT_FIELDS = ("first_name", "last_name")
_APPOINTMENT_FIELDS = ("starts_at", "status", "client_id")


def _changed(obj, fields: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _appointment_client_ids(appointment: Appointment, changed_only: bool) -> set[str]:
    if changed_only and not _changed(appointment, _APPOINTMENT_FIELDS):
        return set()
    history = inspect(appointment).attrs.client_id.history
    return {cid for cid in [appointment.client_id, *history.deleted] if cid}


def _touched_client_ids(session: Session) -> set[str]:
    ids: set[str] = set()
    for obj in session.dirty:
        if isinstance(obj, Client) and _changed(obj, _CLIENT_FIELDS):
            ids.add(obj.id)
        elif isinstance(obj, Appointment):
            ids |= _appointment_client_ids(obj, changed_only=True)
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, Appointment):
            ids |= _appointment_client_ids(obj, changed_only=False)
    return ids


def mark_due(client: Client, now: datetime | None = None) -> None:
    """Owe the client's contact a push DEBOUNCE from now; wake the worker unless a push is already pending."""
    if not client.chatwoot_contact_id:
        return
    now = now or utcnow()
    pending = client.attributes_due_at is not None
    if not pending or client.attributes_owed_since is None:
        client.attributes_owed_since = now
    due = min(now + DEBOUNCE, client.attributes_owed_since + MAX_WAIT)
    if not pending:
        enqueue_after_commit(PUSH_TASK, client.id, eta=due)
    client.attributes_due_at = due


@event.listens_for(Session, "before_flush")
def _mark_touched_clients(session: Session, _context, _instances) -> None:
    ids = _touched_client_ids(session)
    if not ids:
        return
    with session.no_autoflush:
        for client_id in ids:
            client = session.get(Client, client_id)
            if client is not None and client not in session.deleted:
                mark_due(client)


@dataclass(frozen=True)
class PendingPush:
    client_id: str
    tenant_id: str
    contact_id: str | None
    due_at: datetime
    attributes: dict
    unchanged: bool


def pending_push(client_id: str) -> PendingPush | None:
    """The push owed to a client now, with the latest attributes; None when nothing is owed."""
    client = db.session.get(Client, client_id)
    if client is None or client.attributes_due_at is None:
        return None
    attributes = client_attributes(client) if client.chatwoot_contact_id else {}
    return PendingPush(client.id, client.tenant_id, client.chatwoot_contact_id, client.attributes_due_at,
                       attributes, attributes_hash(attributes) == client.chatwoot_attributes_hash)


def finish_push(push: PendingPush, pushed: bool) -> datetime | None:
    """Record a done push; a change that came in meanwhile keeps its due time, which is returned."""
    if pushed:
        db.session.execute(update(Client).where(Client.id == push.client_id)
                           .values(chatwoot_attributes_hash=attributes_hash(push.attributes)))
    done = db.session.execute(update(Client).where(Client.id == push.client_id,
                                                   Client.attributes_due_at == push.due_at)
                              .values(attributes_due_at=None, attributes_owed_since=None))
    if done.rowcount:
        return None
    # What changed during the push is owed from now on: the cap counts from here, not from the old burst.
    db.session.execute(update(Client).where(Client.id == push.client_id).values(attributes_owed_since=utcnow()))
    return db.session.scalar(select(Client.attributes_due_at).where(Client.id == push.client_id))


def overdue_client_ids() -> list[str]:
    """Clients whose push is well past due: their queue message was lost or their worker died."""
    limit = utcnow() - SWEEP_GRACE
    return list(db.session.scalars(select(Client.id).where(Client.attributes_due_at.is_not(None),
                                                          Client.attributes_due_at < limit)))
