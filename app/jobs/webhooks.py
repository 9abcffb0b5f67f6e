"""Webhook jobs: process one stored delivery, enqueue after commit, sweep up what a lost job left."""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs import app_task, register_sweeper
from app.services.webhook_processing import claim_event, run_claimed_event
from app.services.webhook_queue import take_scheduled
from app.services.webhook_replay import stuck_event_ids

log = logging.getLogger("chatwoot.webhooks")


@app_task()
def process_webhook_event(event_id: str) -> None:
    """Process one stored delivery; its row records each attempt, the error and the next retry."""
    if not claim_event(event_id):
        db.session.rollback()
        return
    db.session.commit()  # the lease must be visible to other workers and to the sweep before the work starts
    run_claimed_event(event_id)
    db.session.commit()


@register_sweeper
def requeue_stuck_webhook_events() -> None:
    """Re-enqueue deliveries left pending or processing past their lease (lost message, killed worker)."""
    for event_id in stuck_event_ids():
        process_webhook_event(event_id)


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    for event_id, delay in take_scheduled(session):
        try:
            if delay:
                process_webhook_event.schedule((event_id,), delay=delay)
            else:
                process_webhook_event(event_id)
        except Exception:  # the row is committed as pending, so the sweep enqueues it once the queue is back
            log.exception("could not enqueue webhook event %s", event_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    take_scheduled(session)
