"""Contact jobs: the Chatwoot side of a link, unlink or move made in the dashboard."""

from __future__ import annotations

from app.extensions import db
from app.queue import app_task, register_sweeper
from app.services.contacts.tasks import claim_task, perform, record_result, stuck_task_ids


@app_task()
def contact_task_job(task_id: str) -> None:
    """Claim (committed), call Chatwoot with no transaction open, record the outcome (committed)."""
    task = claim_task(task_id)
    db.session.commit()
    if task is None:
        return
    result = perform(task)
    db.session.rollback()  # perform only read: end that read before the short write
    record_result(task_id, result)
    db.session.commit()


@register_sweeper
def requeue_stuck_contact_tasks() -> None:
    """Re-enqueue tasks left pending by a lost queue message or a killed worker."""
    ids = stuck_task_ids()
    db.session.commit()
    for task_id in ids:
        contact_task_job(task_id)
