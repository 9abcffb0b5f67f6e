"""Delivery receipts from Chatwoot (message_updated) applied to our notifications: forward only."""

from __future__ import annotations

from sqlalchemy import exists, select

from app.extensions import db
from app.models import ChatwootInteraction, Notification, NotificationStatus, utcnow

# Receipts arrive out of order; a lower rank never replaces a higher one. A failure can follow "sent",
# but a message the channel confirmed delivered or read has reached the person.
RANK = {
    NotificationStatus.PENDING: 0,
    NotificationStatus.SENT: 1,
    NotificationStatus.FAILED: 2,
    NotificationStatus.DELIVERED: 3,
    NotificationStatus.READ: 4,
}
DEFAULT_FAILURE = "Chatwoot marked the message as failed"


def normalise_status(status: str | None, external_error: str | None = None) -> str | None:
    """A known receipt status (lowercase), "failed" when only an error is given, else None."""
    status = (status or "").strip().lower()
    if status in RANK and status != NotificationStatus.PENDING:
        return status
    return NotificationStatus.FAILED if external_error else None


def is_forward(current: str | None, new: str) -> bool:
    """True when `new` moves a message's state forward from `current` (unknown states never move)."""
    if current is None:
        return new in RANK
    return current in RANK and new in RANK and RANK[new] > RANK[current]


def apply_message_status(tenant_id: str, message_id, status: str | None,
                         external_error: str | None = None) -> Notification | None:
    """Move our notification for a Chatwoot message forward (sent → delivered → read, or failed)."""
    new = normalise_status(status, external_error)
    if new is None or message_id is None:
        return None
    notification = db.session.scalar(
        select(Notification).where(Notification.tenant_id == tenant_id,
                                   Notification.chatwoot_message_id == str(message_id))
        .order_by(Notification.created_at).limit(1))
    if notification is None or not is_forward(notification.status, new):
        return notification
    _advance(notification, new, external_error)
    db.session.flush()
    return notification


def _advance(notification: Notification, new: str, external_error: str | None) -> None:
    now = utcnow()
    notification.status = new
    if new == NotificationStatus.FAILED:
        notification.last_error = external_error or DEFAULT_FAILURE
    notification.sent_at = notification.sent_at or now
    if new in (NotificationStatus.DELIVERED, NotificationStatus.READ):
        notification.delivered_at = notification.delivered_at or now
    if new == NotificationStatus.READ:
        notification.read_at = notification.read_at or now


def advance_interactions(tenant_id: str, message_id, status: str | None) -> int:
    """Carry a receipt to the logged interactions of that message (agent replies); returns how many moved."""
    new = normalise_status(status)
    if new is None or message_id is None:
        return 0
    rows = db.session.scalars(select(ChatwootInteraction).where(
        ChatwootInteraction.tenant_id == tenant_id, ChatwootInteraction.message_id == str(message_id))).all()
    moved = [row for row in rows if is_forward(row.status, new)]
    for row in moved:
        row.status = new
    return len(moved)


def is_tracked(tenant_id: str, message_id) -> bool:
    """Whether a receipt for this Chatwoot message concerns us (one of our notifications or a logged message)."""
    return bool(db.session.scalar(select(exists().where(
        Notification.tenant_id == tenant_id, Notification.chatwoot_message_id == str(message_id)))) or
        db.session.scalar(select(exists().where(
            ChatwootInteraction.tenant_id == tenant_id, ChatwootInteraction.message_id == str(message_id)))))
