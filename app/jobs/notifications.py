"""Notification jobs: deliver one notification; the sweep re-enqueues stuck rows and arms reminders.

Jobs are enqueued only after the transaction that stored the row commits (a worker must never look
for a row it cannot see yet); the sweep catches anything the queue lost.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from app.extensions import db
from app.models import Notification, NotificationStatus, utcnow
from app.queue import app_task, enqueue_after_commit, register_sweeper
from app.services.notification_service import notification_service
from app.services.notifications.reminders import arm_upcoming_reminders

STUCK_AFTER = timedelta(minutes=2)  # due this long ago, pending and never claimed: its queue message is gone
SWEEP_BATCH = 500


@app_task()
def deliver_notification(notification_id: str) -> None:
    """Deliver one notification (a no-op when it is not due or another worker has it)."""
    notification_service.deliver(notification_id)


@register_sweeper
def requeue_stuck_notifications() -> int:
    """Re-enqueue pending rows left behind by a lost queue message or a worker that died mid-attempt."""
    now = utcnow()
    due = or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now)
    lost = or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now - STUCK_AFTER)
    died = and_(Notification.leased_until <= now, due)  # its worker stopped renewing the lease
    ids = list(db.session.scalars(select(Notification.id).where(
        Notification.status == NotificationStatus.PENDING,
        or_(died, and_(Notification.leased_until.is_(None), lost)),
    ).order_by(Notification.next_attempt_at).limit(SWEEP_BATCH)))
    if ids:
        # Due "now" again, so the next sweep leaves them alone unless this message is lost too.
        db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(next_attempt_at=now)
                           .execution_options(synchronize_session=False))
        for notification_id in ids:
            enqueue_after_commit("deliver_notification", notification_id)
    db.session.commit()
    return len(ids)


@register_sweeper
def arm_reminders() -> None:
    """Arm the reminders of upcoming appointments that have none yet."""
    arm_upcoming_reminders()
    db.session.commit()
