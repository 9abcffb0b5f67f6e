"""message_created and message_updated: customers writing, agents replying, our own messages' receipts."""

from __future__ import annotations

from sqlalchemy import select

from app.chatwoot import payloads as wp
from app.chatwoot.errors import ChatwootError
from app.extensions import db
from app.models import Notification, WebhookStatus
from app.services.agents.assignment import request_assignment
from app.services.automations import answer_customer
from app.services.webhooks.contacts import identify
from app.services.webhooks.context import EventContext, clip, linked_client, message_logged
from app.services.webhooks.receipts import advance_interactions, apply_message_status, is_tracked


def on_message_created(ctx: EventContext) -> str:
    kind = wp.direction(ctx.payload)
    if kind == "incoming":
        return _incoming(ctx)
    if kind in ("outgoing", "template") and not wp.is_private(ctx.payload):
        return _outgoing(ctx)
    return WebhookStatus.IGNORED  # private notes and activity messages


def _incoming(ctx: EventContext) -> str:
    """The customer wrote: link them to their client (or queue them), then log the message."""
    p = ctx.payload
    message_id, contact = wp.message_id(p), wp.message_contact(p)
    client = linked_client(ctx.tenant_id, contact.id if contact else None)
    if message_logged(ctx.tenant_id, message_id):
        # Handled before (a replay or a retry after a failed push): only a missing push remains.
        if client is not None and client.chatwoot_attributes_hash is None:
            ctx.push(client)
        return WebhookStatus.DONE
    if client is not None and client.chatwoot_attributes_hash is None:
        ctx.push(client)
    elif client is None and contact is not None:
        client = identify(ctx, contact, message=wp.content(p), conversation_id=wp.conversation_id(p))
    ctx.log("message_created", direction="incoming", client_id=client.id if client else None,
            contact_id=contact.id if contact else None, conversation_id=wp.conversation_id(p),
            message_id=message_id, content=wp.content(p), phone=clip(contact.phone if contact else None, 40),
            status=clip(wp.message_status(p), 40))
    if client is not None and not wp.conversation_assigned(p):
        request_assignment(ctx.tenant_id, wp.conversation_id(p), client.id)
    answer_customer(ctx.tenant, client, conversation_id=wp.conversation_id(p), message_id=message_id,
                    content=wp.content(p), at=ctx.when)
    return WebhookStatus.DONE


def _outgoing(ctx: EventContext) -> str:
    """An agent's reply is logged; a message this service sent is attached to its notification instead."""
    p = ctx.payload
    message_id = wp.message_id(p)
    notification = _own_notification(ctx.tenant_id, message_id)
    if notification is not None:
        apply_message_status(ctx.tenant_id, message_id, wp.message_status(p), wp.external_error(p))
        return WebhookStatus.DONE
    if message_logged(ctx.tenant_id, message_id):
        return WebhookStatus.DONE
    contact = wp.message_contact(p)
    client = linked_client(ctx.tenant_id, contact.id if contact else None)
    row = ctx.log("message_created", direction="outgoing", client_id=client.id if client else None,
                  contact_id=contact.id if contact else None, conversation_id=wp.conversation_id(p),
                  message_id=message_id, content=wp.content(p), phone=clip(contact.phone if contact else None, 40),
                  status=clip(wp.message_status(p), 40))
    row.sender_kind = wp.sender_kind(p)
    return WebhookStatus.DONE


def _own_notification(tenant_id: str, message_id: str | None) -> Notification | None:
    if message_id is None:
        return None
    return db.session.scalar(select(Notification).where(Notification.tenant_id == tenant_id,
                                                        Notification.chatwoot_message_id == message_id).limit(1))


def on_message_updated(ctx: EventContext) -> str:
    """A delivery receipt: our notification and the logged interaction move forward, never back."""
    p = ctx.payload
    message_id = wp.message_id(p)
    error = wp.external_error(p)
    status = wp.message_status(p) or ("failed" if error else None)
    if message_id is None or wp.is_private(p):
        return WebhookStatus.IGNORED
    if status is None and is_tracked(ctx.tenant_id, message_id):
        status, error = _status_in_chatwoot(ctx, wp.conversation_id(p), message_id)
    if status is None:
        return WebhookStatus.IGNORED
    notification = apply_message_status(ctx.tenant_id, message_id, status, error)
    moved = advance_interactions(ctx.tenant_id, message_id, status)
    return WebhookStatus.DONE if notification is not None or moved else WebhookStatus.IGNORED


def _status_in_chatwoot(ctx: EventContext, conversation_id: str | None,
                        message_id: str) -> tuple[str | None, str | None]:
    """(status, channel error) of a message the payload does not show (it is not the conversation's latest).

    Chatwoot's message_updated carries no status of its own; its conversation shows only the last message.
    A failed call is kept as the event's problem, so the event is retried.
    """
    api = ctx.api()
    if api is None or conversation_id is None:
        return None, None
    try:
        messages = api.list_messages(conversation_id)
    except ChatwootError as exc:
        ctx.problem = exc
        return None, None
    found = next((m for m in messages if m.id == message_id), None)
    return (found.status, found.external_error) if found else (None, None)
