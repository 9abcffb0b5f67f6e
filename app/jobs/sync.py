"""Queue tasks for the contact sync: run a sync, and resume runs whose worker stopped."""

from __future__ import annotations

from collections.abc import Callable

from app.extensions import db
from app.models import SyncRun
from app.queue import app_task, enqueue_after_commit, register_sweeper
from app.services.sync.engine import CHECKPOINT
from app.services.sync.runs import claim_run, stale_runs, sync_steps


def run_sync(run_id: str, progress: Callable[[SyncRun], None] | None = None) -> SyncRun:
    """Claim a queued run, commit, then run it committing at every step (the job and the CLI run this)."""
    run = claim_run(run_id)
    db.session.commit()  # the claim is visible before the first call to Chatwoot
    if run is None:
        return db.session.get(SyncRun, run_id)  # finished, cancelled, or another worker holds it
    for step in sync_steps(run):
        db.session.commit()
        if progress and step == CHECKPOINT:
            progress(run)
    db.session.commit()
    return run


@app_task()
def sync_job(run_id: str) -> None:
    """Run one sync (enqueued after the run's row is committed)."""
    run_sync(run_id)


@register_sweeper
def resume_stale_syncs() -> None:
    """Requeue sync runs whose worker died (no heartbeat within the lease)."""
    for run_id in stale_runs():
        enqueue_after_commit("sync_job", run_id)
    db.session.commit()
