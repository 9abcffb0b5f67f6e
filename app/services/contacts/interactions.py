"""Writing the interaction log (chatwoot_interactions)."""

from __future__ import annotations

from app.extensions import db
from app.models import ChatwootInteraction

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
