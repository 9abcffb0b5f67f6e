"""One delivery attempt: claim the row, record the outcome; transient failures back off (flush only).

The caller (notification_service.deliver, which the worker's job runs) commits the claim (attempts + 1
and a lease) before Chatwoot is called, so another worker never takes the same row, and a worker that
dies leaves a lease that runs out. `leased_until` still set on a claimable row means "the previous
attempt may have posted the message": the next attempt reads the conversation before posting again.
"""

from __future__ import annotations

import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from app.chatwoot.errors import (
    ChatwootAuthError,
    ChatwootConfigError,
    ChatwootError,
    ChatwootNotFound,
    ChatwootRateLimited,
    ChatwootTransientError,
    ChatwootValidationError,
)
from app.extensions import db
from app.models import Notification, NotificationStatus, utcnow
from app.queue import enqueue_after_commit
from app.services.leases import lease_until
from app.services.notifications.client_lock import LockBusy
from app.services.notifications.delivery import DeliveryFailed, DeliverySkipped
from app.services.notifications.whatsapp import TemplateUnavailable

RETRYABLE = (ChatwootTransientError, ChatwootRateLimited, LockBusy)
PERMANENT = (DeliveryFailed, TemplateUnavailable, ChatwootError)
ENDS_ATTEMPT = (DeliverySkipped, *RETRYABLE, *PERMANENT)  # what stops an attempt with a recorded outcome


def _config(name: str, default):
    return current_app.config.get(name, default)


def max_attempts() -> int:
    """Attempts before a notification fails for good (NOTIFICATION_MAX_ATTEMPTS, default 8)."""
    return int(_config("NOTIFICATION_MAX_ATTEMPTS", 8))


def backoff_delay(attempt: int, exc: Exception) -> float:
    """Seconds before the next attempt: exponential, capped, with jitter; a 429 waits for the next minute."""
    base = float(_config("NOTIFICATION_RETRY_BASE_SECONDS", 30))
    ceiling = min(float(_config("NOTIFICATION_RETRY_MAX_SECONDS", 3600)), base * 2 ** max(attempt - 1, 0))
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)
    if isinstance(exc, ChatwootRateLimited):  # Chatwoot's windows are fixed minutes and send no Retry-After
        delay = max(delay, 60 - utcnow().second + random.uniform(1, 5))
    return delay


def failure_reason(exc: Exception) -> str:
    """A readable reason, with Chatwoot's own message when it gave one."""
    if isinstance(exc, ChatwootAuthError):
        return f"Chatwoot refused the access token or the inbox ({exc.status}): {exc.message}"
    if isinstance(exc, ChatwootValidationError):
        return f"Chatwoot rejected the request ({exc.status}): {exc.message}"
    if isinstance(exc, ChatwootNotFound):
        return f"Chatwoot could not find the record ({exc.status}): {exc.message}"
    if isinstance(exc, ChatwootConfigError):
        return exc.message
    if isinstance(exc, ChatwootError):
        return f"Chatwoot error ({exc.status}): {exc.message}"
    return str(exc)


def claim(notification_id: str) -> tuple[Notification, bool] | None:
    """(row, uncertain) when this worker now owns a due attempt, else None (flush; the caller commits)."""
    row = db.session.get(Notification, notification_id, populate_existing=True)
    now = utcnow()
    if row is None or row.status != NotificationStatus.PENDING:
        return None
    if (row.next_attempt_at and row.next_attempt_at > now) or (row.leased_until and row.leased_until > now):
        return None
    uncertain, attempts = row.leased_until is not None, row.attempts
    if attempts >= max_attempts():  # workers died mid-attempt again and again
        _fail(row, f"gave up after {attempts} attempts: {row.last_error or 'the worker stopped'}", uncertain)
        db.session.flush()
        return None
    taken = db.session.execute(
        update(Notification).where(Notification.id == row.id, Notification.status == NotificationStatus.PENDING,
                                   Notification.attempts == attempts)
        .values(attempts=attempts + 1, leased_until=lease_until(now)).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        return None
    db.session.refresh(row)
    return row, uncertain


def _settle(row: Notification, uncertain: bool) -> None:
    # An expired lease marks "outcome unknown" for the next attempt; None means "nothing was posted".
    row.leased_until = utcnow() if uncertain else None


def _fail(row: Notification, reason: str, uncertain: bool = False) -> None:
    row.status, row.reason, row.next_attempt_at = NotificationStatus.FAILED, reason, None
    _settle(row, uncertain)


def _skip(row: Notification, reason: str) -> None:
    row.status, row.reason, row.next_attempt_at, row.leased_until = NotificationStatus.SKIPPED, reason, None, None


def _later(row: Notification, exc: Exception, uncertain: bool) -> None:
    row.last_error = failure_reason(exc)
    if row.attempts >= max_attempts():
        _fail(row, f"gave up after {row.attempts} attempts: {row.last_error}", uncertain)
        return
    row.next_attempt_at = utcnow() + timedelta(seconds=backoff_delay(row.attempts, exc))
    _settle(row, uncertain)
    enqueue_after_commit("deliver_notification", row.id, eta=row.next_attempt_at)


def record_error(notification_id: str, exc: Exception, uncertain: bool) -> Notification:
    """Roll back the attempt's unfinished work and record why it stopped: skipped, later, or failed (flush)."""
    db.session.rollback()
    row = db.session.get(Notification, notification_id, populate_existing=True)
    uncertain = uncertain or bool(getattr(exc, "maybe_applied", False))
    if isinstance(exc, DeliverySkipped):
        _skip(row, str(exc))
    elif isinstance(exc, RETRYABLE):
        _later(row, exc, uncertain)
    else:
        row.last_error = failure_reason(exc)
        _fail(row, row.last_error, uncertain)
    db.session.flush()
    return row


def record_done(row: Notification) -> None:
    """The attempt ended (sent, or withdrawn while it waited for the client's lock): drop its lease."""
    row.leased_until = None
    db.session.flush()
