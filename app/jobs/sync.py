"""Queue tasks for the contact sync: run a sync, and resume runs whose worker stopped."""

from __future__ import annotations

from app.extensions import db
from app.queue import app_task, register_sweeper
from app.services.sync.runs import run_sync, stale_runs


@app_task()
def sync_job(run_id: str) -> None:
    """Run one sync (enqueued after the run's row is committed)."""
    run_sync(run_id)


@register_sweeper
def resume_stale_syncs() -> None:
    """Requeue sync runs whose worker died (no heartbeat within the lease)."""
    run_ids = stale_runs()
    db.session.commit()
    for run_id in run_ids:
        sync_job(run_id)
