"""Retention: raw webhook bodies are personal data (names, phones, messages) kept only as long as useful.

An event row is the raw body plus bookkeeping, so a finished event older than WEBHOOK_RETENTION_DAYS
is deleted whole. What processing made of it stays: the interaction log, links, notification states.
Events still pending or processing are work, not history, and are left to the worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.extensions import db
from app.models import WebhookEvent, WebhookStatus, utcnow

FINISHED = (WebhookStatus.DONE, WebhookStatus.IGNORED, WebhookStatus.FAILED)
BATCH = 500


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Events received before this moment are past retention."""
    return (now or utcnow()) - timedelta(days=current_app.config["WEBHOOK_RETENTION_DAYS"])


def purge_batch(cutoff: datetime, limit: int = BATCH) -> int:
    """Delete up to `limit` finished events received before `cutoff` (flush only); how many went."""
    ids = db.session.scalars(select(WebhookEvent.id).where(
        WebhookEvent.status.in_(FINISHED), WebhookEvent.received_at < cutoff).limit(limit)).all()
    if ids:
        db.session.execute(delete(WebhookEvent).where(WebhookEvent.id.in_(ids)))
    return len(ids)
