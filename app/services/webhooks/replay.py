"""Running stored deliveries again: one by hand, every failed one, or those a lost job left behind."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import WebhookEvent, WebhookStatus, utcnow
from app.queue import enqueue_after_commit

# A fresh event is enqueued at once and a retry at its time; the sweep waits this long past either
# before deciding the queue message was lost.
SWEEP_GRACE = timedelta(minutes=2)


class ReplayError(LookupError):
    """The event cannot be replayed; str() says why."""


def find_event(event_id: str, tenant_id: str | None = None) -> WebhookEvent | None:
    """A stored event by id, limited to one tenant when given."""
    query = select(WebhookEvent).where(WebhookEvent.id == event_id)
    if tenant_id is not None:
        query = query.where(WebhookEvent.tenant_id == tenant_id)
    return db.session.scalar(query)


def _reset(event: WebhookEvent) -> None:
    event.status, event.attempts, event.error = WebhookStatus.PENDING, 0, None
    event.leased_until = event.next_attempt_at = event.processed_at = None
    enqueue_after_commit("process_webhook_event", event.id)


def replay_event(tenant_id: str, event_id: str) -> WebhookEvent:
    """Queue one of the tenant's events again from its first attempt (processing starts after commit)."""
    event = find_event(event_id, tenant_id)
    if event is None:
        raise ReplayError(f"no webhook event {event_id} for this salon")
    if event.status == WebhookStatus.PROCESSING and event.leased_until and event.leased_until > utcnow():
        raise ReplayError(f"webhook event {event_id} is being processed right now")
    _reset(event)
    db.session.flush()
    return event


def replay_failed(tenant_id: str | None = None) -> int:
    """Queue every failed event again (of one tenant, or all); returns how many."""
    query = select(WebhookEvent).where(WebhookEvent.status == WebhookStatus.FAILED)
    if tenant_id is not None:
        query = query.where(WebhookEvent.tenant_id == tenant_id)
    events = db.session.scalars(query.order_by(WebhookEvent.received_at)).all()
    for event in events:
        _reset(event)
    db.session.flush()
    return len(events)


def stuck_event_ids(limit: int = 500) -> list[str]:
    """Pending events whose queue message seems lost, and processing events whose lease ran out."""
    now = utcnow()
    due = func.coalesce(WebhookEvent.next_attempt_at, WebhookEvent.received_at)
    stuck = or_(and_(WebhookEvent.status == WebhookStatus.PENDING, due < now - SWEEP_GRACE),
                and_(WebhookEvent.status == WebhookStatus.PROCESSING, WebhookEvent.leased_until < now))
    return list(db.session.scalars(select(WebhookEvent.id).where(stuck).order_by(WebhookEvent.received_at)
                                   .limit(limit)))
