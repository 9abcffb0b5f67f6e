"""Writing the interaction log (chatwoot_interactions)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import ChatwootInteraction, Tenant
from app.services.analytics.rollup import forget_days_touched_by

PREVIEW_LENGTH = 280


def preview(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(str(text).split())
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"


def log_interaction(tenant_id: str, event: str, *, direction: str = "system", client_id: str | None = None,
                    contact_id=None, conversation_id=None, message_id=None, content: str | None = None,
                    phone: str | None = None, status: str | None = None,
                    sender_kind: str | None = None) -> ChatwootInteraction:
    row = ChatwootInteraction(
        tenant_id=tenant_id, event=event, direction=direction, client_id=client_id,
        chatwoot_contact_id=None if contact_id is None else str(contact_id),
        conversation_id=None if conversation_id is None else str(conversation_id),
        message_id=None if message_id is None else str(message_id),
        content_preview=preview(content), phone=phone, status=status,
        sender_kind=sender_kind or ("automatic" if direction == "outgoing" else None),
    )
    db.session.add(row)
    db.session.flush()
    return row


def log_sent_message(tenant_id: str, event: str, *, message_id, client_id: str | None = None,
                     **fields) -> ChatwootInteraction:
    """Log a message this service has just sent.

    The worker may have processed Chatwoot's message_created for it (and a receipt) before the sending job
    recorded the message id, and logged it as an agent's reply, since our token is an agent's. That row
    becomes this one, keeping Chatwoot's time and the receipt's status, rather than a second row for one
    message that the analytics would count twice, once as a person's reply.
    """
    rows = db.session.scalars(select(ChatwootInteraction).where(  # the few rows of one message, by its index
        ChatwootInteraction.tenant_id == tenant_id, ChatwootInteraction.message_id == str(message_id)))
    echo = next((row for row in rows if (row.event, row.direction) == ("message_created", "outgoing")), None)
    if echo is None:
        return log_interaction(tenant_id, event, direction="outgoing", client_id=client_id, message_id=message_id,
                               **fields)
    echo.event, echo.sender_kind = event, "automatic"
    echo.client_id = client_id or echo.client_id
    echo.status = echo.status or fields.get("status")
    forget_days_touched_by(echo, db.session.scalar(select(Tenant.timezone).where(Tenant.id == tenant_id)))
    db.session.flush()
    return echo
