"""Processing a stored webhook delivery in the worker: claim it, run its handler, record the outcome.

A failed attempt is retried with backoff; after the last one the row stays `failed` with its error.
Handlers are idempotent, so a replay or a retry never logs or counts a message twice. The job commits:
claim -> handler's local writes -> attribute pushes to Chatwoot (no transaction open) -> the outcome.
A handler makes at most a couple of calls without retries or rate-limit waits, each under
CHATWOOT_TIMEOUT, so the lease (WORKER_LEASE_SECONDS) covers an attempt without renewal.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import and_, exists, or_, select, update

from app.chatwoot import payloads as wp
from app.chatwoot.errors import ChatwootError
from app.extensions import db
from app.models import ChatwootConfig, ChatwootInteraction, Tenant, WebhookEvent, WebhookStatus, utcnow
from app.queue import enqueue_after_commit
from app.services.leases import lease_until
from app.services.webhooks.contacts import on_contact_event
from app.services.webhooks.context import EventContext, clip, linked_client
from app.services.webhooks.messages import on_message_created, on_message_updated

log = logging.getLogger("chatwoot.webhooks")
BACKOFF_SECONDS = (10, 60, 300, 1800)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
QUIET_CHANGES = {"updated_at", "last_activity_at", "waiting_since", "agent_last_seen_at", "contact_last_seen_at"}


class UnprocessableEvent(Exception):
    """The stored event cannot be processed at all (retrying would not help)."""

    retryable = False


def claim_event(event_id: str) -> bool:
    """Take the lease on a pending event (or one whose lease ran out); False when another worker has it."""
    now = utcnow()
    claimable = or_(WebhookEvent.status == WebhookStatus.PENDING,
                    and_(WebhookEvent.status == WebhookStatus.PROCESSING, WebhookEvent.leased_until < now))
    result = db.session.execute(
        update(WebhookEvent).where(WebhookEvent.id == event_id, claimable)
        .values(status=WebhookStatus.PROCESSING, leased_until=lease_until(now), attempts=WebhookEvent.attempts + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def run_claimed_event(event_id: str) -> EventContext | None:
    """Run a claimed event's handler (local writes, flush); None when the attempt failed (recorded).

    The returned context still holds the attribute pushes: the caller commits, then `push_and_finish`.
    """
    event = db.session.get(WebhookEvent, event_id)
    ctx = None
    try:
        ctx = _context(event)
        ctx.status = HANDLERS.get(event.event, _ignore)(ctx)
    except Exception as exc:  # whatever went wrong is kept on the row and retried: nothing is lost
        if ctx is not None:
            ctx.close()
        db.session.rollback()
        _record_failure(db.session.get(WebhookEvent, event_id), exc)
        return None
    return ctx


def push_and_finish(ctx: EventContext) -> str:
    """Push the attributes the handler asked for (no transaction open), then record the outcome (flush)."""
    try:
        ctx.push_pending()
    finally:
        ctx.close()
    event = ctx.event
    if ctx.problem is not None:  # the link and the log are kept; the attribute push is retried
        return _record_failure(event, ctx.problem)
    event.status, event.processed_at, event.leased_until = ctx.status, utcnow(), None
    event.error = event.next_attempt_at = None
    db.session.flush()
    return event.status


def _context(event: WebhookEvent) -> EventContext:
    try:
        payload = json.loads(event.raw_body)
    except ValueError as exc:
        raise UnprocessableEvent("stored body is not JSON") from exc
    tenant = db.session.get(Tenant, event.tenant_id)
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == event.tenant_id))
    if not isinstance(payload, dict) or config is None:
        raise UnprocessableEvent("stored body is not an event object, or the salon has no Chatwoot settings")
    now = utcnow()
    return EventContext(event=event, tenant=tenant, config=config, payload=payload, now=now,
                        when=wp.event_time(payload, now))


def _record_failure(event: WebhookEvent, exc: Exception) -> str:
    now = utcnow()
    message = exc.message if isinstance(exc, ChatwootError) else str(exc)
    event.error = f"{type(exc).__name__}: {message}"[:2000]
    event.leased_until = None
    if getattr(exc, "retryable", True) and event.attempts < MAX_ATTEMPTS:
        delay = BACKOFF_SECONDS[max(event.attempts, 1) - 1]
        event.status, event.next_attempt_at = WebhookStatus.PENDING, now + timedelta(seconds=delay)
        enqueue_after_commit("process_webhook_event", event.id, eta=event.next_attempt_at)
        log.warning("webhook event %s attempt %s failed, retry in %ss: %s", event.id, event.attempts, delay,
                    event.error)
    else:
        event.status, event.processed_at, event.next_attempt_at = WebhookStatus.FAILED, now, None
        log.error("webhook event %s failed after %s attempt(s): %s", event.id, event.attempts, event.error)
    return event.status


def _ignore(_ctx: EventContext) -> str:
    return WebhookStatus.IGNORED


def _describe_changes(payload: dict) -> str | None:
    """"status: open → resolved; assignee_id: 5" from changed_attributes (null on status_changed)."""
    parts = []
    for key in sorted(wp.changed_keys(payload) - QUIET_CHANGES):
        previous, current = wp.changed_value(payload, key) or (None, None)
        parts.append(f"{key}: {previous} → {current}" if previous is not None else f"{key}: {current}")
    return "; ".join(parts) or None


def _conversation_change_logged(ctx: EventContext, conversation_id: str, status: str | None) -> bool:
    """conversation_updated and conversation_status_changed fire for one change: log it once."""
    same_status = ChatwootInteraction.status.is_(None) if status is None else ChatwootInteraction.status == status
    return bool(db.session.scalar(select(exists().where(
        ChatwootInteraction.tenant_id == ctx.tenant_id, ChatwootInteraction.conversation_id == conversation_id,
        ChatwootInteraction.event.in_(wp.CONVERSATION_EVENTS), same_status,
        ChatwootInteraction.created_at == ctx.when))))


def on_conversation_event(ctx: EventContext) -> str:
    """A conversation opened, changed or changed status: logged with its status at the time it happened."""
    p = ctx.payload
    conversation_id, status = wp.conversation_id(p), clip(wp.as_text(p.get("status")), 40)
    if conversation_id is None:
        return WebhookStatus.IGNORED
    if _conversation_change_logged(ctx, conversation_id, status):
        return WebhookStatus.DONE
    contact = wp.conversation_contact(p)
    client = linked_client(ctx.tenant_id, contact.id if contact else None)
    first = wp.latest_message(p).get("content") if ctx.event.event == "conversation_created" else None
    ctx.log(ctx.event.event, client_id=client.id if client else None, contact_id=contact.id if contact else None,
            conversation_id=conversation_id, content=_describe_changes(p) or wp.as_text(first),
            phone=clip(contact.phone if contact else None, 40), status=status)
    return WebhookStatus.DONE


HANDLERS: dict[str, Callable[[EventContext], str]] = {
    "message_created": on_message_created,
    "message_updated": on_message_updated,
    "contact_created": on_contact_event,
    "contact_updated": on_contact_event,
    **{name: on_conversation_event for name in wp.CONVERSATION_EVENTS},
}
