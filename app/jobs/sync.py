"""Queue tasks for the contact sync: run a sync, and resume runs whose worker stopped."""

from __future__ import annotations

from app.chatwoot.sync import run_sync, stale_runs
from app.extensions import db
from app.jobs import app_task, register_sweeper


@app_task(retries=5, retry_delay=2)
def sync_job(run_id: str) -> None:
    """Run one sync; retried while its row is not committed yet (start_sync enqueues before the commit)."""
    run_sync(run_id)


@register_sweeper
def resume_stale_syncs() -> None:
    """Requeue sync runs whose worker died (no heartbeat within the lease)."""
    run_ids = stale_runs()
    db.session.commit()
    for run_id in run_ids:
        sync_job(run_id)
