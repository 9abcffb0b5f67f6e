"""The booking callback's queue: each status change made here becomes one signed POST to the salon's system.

Deliveries are rows (the visible log); a job posts them after the commit and retries with backoff for up
to 24 hours, then marks them failed for staff to see.
"""

from __future__ import annotations

import json
from datetime import timedelta

from app.extensions import db
from app.models import Appointment, CallbackDelivery, utcnow
from app.queue import enqueue_after_commit
from app.services.automations.settings import automation_settings

GIVE_UP_AFTER = timedelta(hours=24)
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600)


def queue_callback(tenant_id: str, appointment: Appointment) -> CallbackDelivery | None:
    """Record one `appointment.<status>` delivery when the tenant has a callback URL."""
    settings = automation_settings(tenant_id)
    if not (settings.callback_url or "").strip():
        return None
    now = utcnow()
    body = json.dumps({"event": f"appointment.{appointment.status}", "appointment_id": appointment.id,
                       "status": str(appointment.status), "at": now.isoformat()}, separators=(",", ":"))
    row = CallbackDelivery(tenant_id=tenant_id, appointment_id=appointment.id,
                           event=f"appointment.{appointment.status}", body=body, status="pending", attempts=0,
                           next_attempt_at=now)
    db.session.add(row)
    db.session.flush()
    enqueue_after_commit("deliver_booking_callback", row.id)
    return row


def next_retry(row: CallbackDelivery) -> None:
    """After a failed attempt: the next try with backoff, or failed once 24 hours have passed."""
    now = utcnow()
    delay = timedelta(seconds=BACKOFF_SECONDS[min(row.attempts, len(BACKOFF_SECONDS)) - 1])
    if now + delay - row.created_at > GIVE_UP_AFTER:
        row.status, row.next_attempt_at = "failed", None
        return
    row.status, row.next_attempt_at = "pending", now + delay
    enqueue_after_commit("deliver_booking_callback", row.id, eta=row.next_attempt_at)
