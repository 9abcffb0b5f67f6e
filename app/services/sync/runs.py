"""Contact sync runs: start, cancel, run (in the worker or the CLI) and resume after a crash.

The sync_runs row is the truth: the queue only carries its id. A run is claimed by flipping it from
queued to running in one UPDATE, so two workers never run it twice; a worker that dies stops the
heartbeat, and the sweeper puts the run back in the queue, where the rerun links what the dead one
created (every link is committed batch by batch, and creation always follows a fresh listing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from app.chatwoot.client import ChatwootClient
from app.chatwoot.errors import ChatwootError
from app.chatwoot.settings import require_settings
from app.extensions import db
from app.models import Client, SyncRun, SyncStatus, User, utcnow
from app.queue import enqueue_after_commit
from app.services.sync.engine import NOTE, SyncEngine, add_entry

LEASE = timedelta(minutes=5)  # longer than two 429 waits for the next minute window
MAX_ATTEMPTS = 3
ACTIVE = (SyncStatus.QUEUED, SyncStatus.RUNNING)
RESUMED = "the worker stopped during the run; resumed"


class SyncError(Exception):
    """A sync cannot be started or run as asked."""


@dataclass(frozen=True)
class SyncResult:
    """What a run did; `synced` of `total` clients are linked to a Chatwoot contact."""

    run_id: str
    status: str
    total: int
    synced: int
    created: int
    linked: int
    updated: int
    failed: int
    skipped: int
    searches: int
    error: str | None = None
    errors: list[dict] = field(default_factory=list)


def active_run(tenant_id: str) -> SyncRun | None:
    """The tenant's queued or running sync, if any."""
    return db.session.scalar(select(SyncRun).where(SyncRun.tenant_id == tenant_id, SyncRun.status.in_(ACTIVE))
                             .order_by(SyncRun.created_at.desc()).limit(1))


def create_run(tenant_id: str, user: User | None = None) -> SyncRun:
    """A queued run (flushed); refuses when the settings are incomplete or a run is already active."""
    require_settings(tenant_id)
    current = active_run(tenant_id)
    if current is not None:
        raise SyncError(f"a sync is already {current.status} for this salon (run {current.id}); "
                        "wait for it to finish or cancel it")
    total = db.session.scalar(select(func.count()).select_from(Client).where(Client.tenant_id == tenant_id))
    run = SyncRun(tenant_id=tenant_id, status=SyncStatus.QUEUED, total=total or 0, errors=[],
                  started_by_id=user.id if user else None)
    db.session.add(run)
    db.session.flush()
    return run


def start_sync(tenant_id: str, user: User | None = None) -> SyncRun:
    """Create a queued run; the worker takes it once the caller commits."""
    run = create_run(tenant_id, user)
    enqueue_after_commit("sync_job", run.id)
    return run


def cancel_sync(run: SyncRun) -> None:
    """Cancel a queued run at once; ask a running one to stop after its current batch (flush only)."""
    if run.status == SyncStatus.QUEUED:
        run.status, run.finished_at = SyncStatus.CANCELLED, utcnow()
    elif run.status == SyncStatus.RUNNING:
        run.cancel_requested = True
    db.session.flush()


def finish_run(run: SyncRun, status: str, error: str | None = None) -> None:
    """Close the run with its final status, and commit."""
    run.status, run.error = status, error
    run.finished_at = run.heartbeat_at = utcnow()
    db.session.commit()


def run_sync(run_id: str, progress: Callable[[SyncRun], None] | None = None) -> SyncRun:
    """Run a queued sync to the end (what the job and the CLI execute); commits batch by batch."""
    run, claimed = _claim(run_id)
    if not claimed:
        return run  # finished, cancelled, or another worker holds it
    try:
        api = ChatwootClient.from_settings(require_settings(run.tenant_id))
    except ChatwootError as exc:
        finish_run(run, SyncStatus.FAILED, exc.message)
        return run
    try:
        status = SyncEngine(run, api, progress).execute()
        finish_run(run, status)
    except ChatwootError as exc:
        db.session.commit()  # keep the links made so far: the rerun starts from them
        finish_run(run, SyncStatus.FAILED, f"Chatwoot: {exc.message}")
    except Exception:
        db.session.rollback()
        finish_run(run, SyncStatus.FAILED, "internal error; see the worker log")
        raise
    finally:
        api.close()
    return run


def _claim(run_id: str) -> tuple[SyncRun, bool]:
    """Flip the run from queued to running (one UPDATE, so one winner); LookupError while it is not committed."""
    now = utcnow()
    result = db.session.execute(update(SyncRun).where(SyncRun.id == run_id, SyncRun.status == SyncStatus.QUEUED)
                       .values(status=SyncStatus.RUNNING, heartbeat_at=now,
                               started_at=func.coalesce(SyncRun.started_at, now)),
                       execution_options={"synchronize_session": False})
    db.session.commit()
    run = db.session.get(SyncRun, run_id)
    if run is None:
        raise LookupError(f"no sync run {run_id} (yet)")
    return run, result.rowcount == 1


def stale_runs(now: datetime | None = None) -> list[str]:
    """Runs whose worker stopped (no heartbeat within the lease): requeued, or closed; returns ids to enqueue."""
    cutoff = (now or utcnow()) - LEASE
    stale = db.session.scalars(select(SyncRun).where(
        SyncRun.status.in_(ACTIVE), func.coalesce(SyncRun.heartbeat_at, SyncRun.created_at) < cutoff)).all()
    requeue = []
    for run in stale:
        if run.cancel_requested:
            run.status, run.finished_at = SyncStatus.CANCELLED, utcnow()
        elif run.status == SyncStatus.RUNNING and _attempts(run) >= MAX_ATTEMPTS:
            run.status, run.finished_at = SyncStatus.FAILED, utcnow()
            run.error = f"the worker stopped {MAX_ATTEMPTS} times during this run"
        else:
            if run.status == SyncStatus.RUNNING:
                run.errors = add_entry(run.errors, None, NOTE, RESUMED)
            run.status, run.heartbeat_at = SyncStatus.QUEUED, utcnow()
            requeue.append(run.id)
    db.session.flush()
    return requeue


def _attempts(run: SyncRun) -> int:
    return 1 + sum(1 for entry in run.errors or [] if entry.get("message") == RESUMED)


def result_of(run: SyncRun) -> SyncResult:
    """The run as the seed's result object (synced, total and the counts)."""
    synced = db.session.scalar(select(func.count()).select_from(Client).where(
        Client.tenant_id == run.tenant_id, Client.chatwoot_contact_id.is_not(None))) or 0
    return SyncResult(run_id=run.id, status=run.status, total=run.total, synced=synced, created=run.created,
                      linked=run.linked, updated=run.updated, failed=run.failed,
                      skipped=max(0, run.total - synced - run.failed), searches=run.searches, error=run.error,
                      errors=list(run.errors or []))
