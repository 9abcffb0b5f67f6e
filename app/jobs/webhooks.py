"""Webhook jobs: process one stored delivery, enqueue after commit, sweep up what a lost job left."""

from __future__ import annotations

from app.extensions import db
from app.queue import app_task, register_sweeper
from app.services.webhooks.processing import claim_event, push_and_finish, run_claimed_event
from app.services.webhooks.replay import stuck_event_ids
from app.services.webhooks.retention import BATCH, purge_batch, retention_cutoff


@app_task()
def process_webhook_event(event_id: str) -> None:
    """Process one stored delivery; its row records each attempt, the error and the next retry."""
    if not claim_event(event_id):
        db.session.rollback()
        return
    db.session.commit()  # the lease must be visible to other workers and to the sweep before the work starts
    handled = run_claimed_event(event_id)
    db.session.commit()  # the handler's writes (links, log lines, unmatched rows) before calling Chatwoot
    if handled is None:
        return
    push_and_finish(handled)
    db.session.commit()


@register_sweeper
def requeue_stuck_webhook_events() -> None:
    """Re-enqueue deliveries left pending or processing past their lease (lost message, killed worker)."""
    for event_id in stuck_event_ids():
        process_webhook_event(event_id)



@register_sweeper
def purge_old_webhook_bodies() -> int:
    """Delete raw bodies past WEBHOOK_RETENTION_DAYS, a batch per transaction so writers are not held up."""
    cutoff, total = retention_cutoff(), 0
    while True:
        count = purge_batch(cutoff)
        db.session.commit()
        total += count
        if count < BATCH:
            return total
