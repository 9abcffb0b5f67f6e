"""Pushing a linked client's fresh attributes to its Chatwoot contact (debounced, coalesced per client)."""

from __future__ import annotations

from datetime import timedelta

from app.chatwoot.client import client_for_tenant
from app.chatwoot.errors import ChatwootConfigError, ChatwootError, ChatwootNotFound
from app.extensions import db
from app.models import utcnow
from app.queue import app_task, enqueue, register_sweeper
from app.services.attributes.freshness import PUSH_TASK, finish_push, overdue_client_ids, pending_push

RETRY_AFTER = timedelta(seconds=30)


def _send(push) -> bool:
    """Push the attributes; False when there is nothing to push or nowhere to push it."""
    if not push.contact_id or push.unchanged:
        return False
    try:
        api = client_for_tenant(push.tenant_id)
    except ChatwootConfigError:
        return False
    try:
        api.update_contact(push.contact_id, custom_attributes=push.attributes)
    except ChatwootNotFound:
        return False  # the contact is gone; the link check (sync) deals with stale links
    return True


@app_task()
def push_client_attributes(client_id: str) -> None:
    """Push the latest state once the client's burst of changes has settled; wake later if it has not."""
    push = pending_push(client_id)
    db.session.commit()  # end the read before calling Chatwoot: no transaction stays open across the call
    if push is None:
        return
    if push.due_at > utcnow():
        enqueue(PUSH_TASK, client_id, eta=push.due_at)
        return
    try:
        pushed = _send(push)
    except ChatwootError:
        enqueue(PUSH_TASK, client_id, eta=utcnow() + RETRY_AFTER)  # still due: the next try sends the latest
        return
    still_due = finish_push(push, pushed)
    db.session.commit()
    if still_due is not None:
        enqueue(PUSH_TASK, client_id, eta=still_due)


@register_sweeper
def requeue_overdue_attribute_pushes() -> None:
    """Re-enqueue pushes whose queue message was lost."""
    client_ids = overdue_client_ids()
    db.session.commit()
    for client_id in client_ids:
        enqueue(PUSH_TASK, client_id)
