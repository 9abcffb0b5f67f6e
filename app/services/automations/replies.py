"""Replies to customers: stored once under a unique key, then sent to Chatwoot by a job after the commit."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AutomationReply, Client
from app.queue import enqueue_after_commit


def queue_reply(tenant_id: str, kind: str, key: str, conversation_id: str, content: str,
                client: Client | None = None, appointment_id: str | None = None) -> AutomationReply | None:
    """Store the reply and queue its sending; None when one with this key exists (a redelivered message)."""
    reply = AutomationReply(tenant_id=tenant_id, kind=kind, dedupe_key=key[:200], conversation_id=conversation_id,
                            content=content, client_id=client.id if client else None,
                            appointment_id=appointment_id, status="pending", attempts=0)
    try:
        with db.session.begin_nested():
            db.session.add(reply)
    except IntegrityError:
        return None
    enqueue_after_commit("send_automation_reply", reply.id)
    return reply
