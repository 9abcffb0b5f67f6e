"""Contact sync runs: start (or join the active one), cancel, claim, the steps of a run, resume after a crash.

The sync_runs row is the truth: the queue only carries its id. A partial unique index allows one queued
or running run per tenant, so concurrent starts share one run. A run is claimed by flipping it from
queued to running in one UPDATE, so two workers never run it twice. Its heartbeat is its lease: the run
renews it while it works; when a worker dies the sweeper puts the run back in the queue, where the rerun
links what the dead one created (every link is committed client by client, and creation always follows
a fresh listing). Nothing here commits: the job (app.jobs.sync) commits at every step `sync_steps` yields.
"""

from __future__ import annotations

import functools
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.chatwoot.client import ChatwootClient
from app.chatwoot.errors import ChatwootError
from app.chatwoot.settings import require_settings
from app.extensions import db
from app.models import Client, SyncRun, SyncStatus, User, new_id, utcnow
from app.models.sync_run import ACTIVE_WHERE
from app.queue import enqueue_after_commit
from app.services.audit import record
from app.services.leases import Heartbeat, lease
from app.services.sync.engine import NOTE, WRITE, SyncEngine, add_entry

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


def open_run(tenant_id: str, user: User | None = None) -> tuple[SyncRun, bool]:
    """(run, created): a new queued run (flushed), or the tenant's active one when there is one.

    INSERT … ON CONFLICT DO NOTHING on the one-active-run index: a concurrent start that inserted first
    wins without an exception, so the caller's transaction stays usable.
    """
    require_settings(tenant_id)
    total = db.session.scalar(select(func.count()).select_from(Client).where(Client.tenant_id == tenant_id))
    now = utcnow()
    values = dict(id=new_id(), tenant_id=tenant_id, status=SyncStatus.QUEUED, total=total or 0, errors=[],
                  started_by_id=user.id if user else None, created_at=now, updated_at=now)
    dialect_insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(SyncRun).values(values).on_conflict_do_nothing(
        index_elements=["tenant_id"], index_where=text(ACTIVE_WHERE))
    if db.session.execute(statement.returning(SyncRun.id)).scalar() is not None:  # rowcount is -1 on psycopg
        return db.session.get(SyncRun, values["id"]), True
    current = active_run(tenant_id)
    if current is None:  # the active run finished between our insert and this read: try once more
        return open_run(tenant_id, user)
    return current, False


def create_run(tenant_id: str, by: User | str | None = None) -> SyncRun:
    """A queued run (flushed, audited); refuses when the settings are incomplete or a run is already active."""
    run, created = open_run(tenant_id, by if isinstance(by, User) else None)
    if not created:
        raise SyncError(f"a sync is already {run.status} for this salon (run {run.id}); "
                        "wait for it to finish or cancel it")
    record("sync.start", tenant_id=tenant_id, by=by, target_type="sync_run", target_id=run.id)
    return run


def start_sync(tenant_id: str, by: User | str | None = None) -> SyncRun:
    """A queued run the worker takes once the caller commits (audited), or the run already active for the tenant."""
    run, created = open_run(tenant_id, by if isinstance(by, User) else None)
    if created:
        record("sync.start", tenant_id=tenant_id, by=by, target_type="sync_run", target_id=run.id)
        enqueue_after_commit("sync_job", run.id)
    return run


def cancel_sync(run: SyncRun, by: User | str | None = None) -> None:
    """Cancel a queued run at once; ask a running one to stop after its current client (flush only, audited)."""
    record("sync.cancel", tenant_id=run.tenant_id, by=by, target_type="sync_run", target_id=run.id)
    if run.status == SyncStatus.QUEUED:
        run.status, run.finished_at = SyncStatus.CANCELLED, utcnow()
    elif run.status == SyncStatus.RUNNING:
        run.cancel_requested = True
    db.session.flush()


def finish_run(run: SyncRun, status: str, error: str | None = None) -> None:
    """Close the run with its final status (flush only)."""
    run.status, run.error = status, error
    run.finished_at = run.heartbeat_at = utcnow()
    db.session.flush()


def claim_run(run_id: str) -> SyncRun | None:
    """Flip the run from queued to running (one UPDATE, so one winner); None when it is not ours to run.

    LookupError while the row is not committed yet (the job is retried).
    """
    now = utcnow()
    result = db.session.execute(update(SyncRun).where(SyncRun.id == run_id, SyncRun.status == SyncStatus.QUEUED)
                                .values(status=SyncStatus.RUNNING, heartbeat_at=now,
                                        started_at=func.coalesce(SyncRun.started_at, now)),
                                execution_options={"synchronize_session": False})
    run = db.session.get(SyncRun, run_id, populate_existing=True)
    if run is None:
        raise LookupError(f"no sync run {run_id} (yet)")
    return run if result.rowcount == 1 else None


def heartbeat(run: SyncRun) -> Heartbeat:
    """Renews the run's lease (its heartbeat) while it is still running."""
    return Heartbeat(lambda now: update(SyncRun).where(SyncRun.id == run.id, SyncRun.status == SyncStatus.RUNNING)
                     .values(heartbeat_at=now))


def sync_steps(run: SyncRun) -> Generator[str, None, None]:
    """Run a claimed sync to its end; the caller commits at every yield (WRITE, or CHECKPOINT for progress).

    Every Chatwoot call happens right after such a commit, with no transaction open.
    """
    try:
        api = ChatwootClient.from_settings(require_settings(run.tenant_id))
    except ChatwootError as exc:
        finish_run(run, SyncStatus.FAILED, exc.message)
        return
    beat = heartbeat(run)
    api.sleep = functools.partial(beat.sleep, sleep=api.sleep)  # rate-limit waits keep the lease alive
    try:
        status = yield from SyncEngine(run, api).steps()
        finish_run(run, status)
    except ChatwootError as exc:  # the links made so far are committed: the rerun starts from them
        finish_run(run, SyncStatus.FAILED, f"Chatwoot: {exc.message}")
    except Exception:
        db.session.rollback()
        finish_run(run, SyncStatus.FAILED, "internal error; see the worker log")
        yield WRITE
        raise
    finally:
        api.close()


def stale_runs(now: datetime | None = None, tenant_id: str | None = None) -> list[str]:
    """Runs whose worker stopped (no heartbeat within the lease): requeued, or closed; returns ids to enqueue."""
    cutoff = (now or utcnow()) - lease()
    query = select(SyncRun).where(SyncRun.status.in_(ACTIVE),
                                  func.coalesce(SyncRun.heartbeat_at, SyncRun.created_at) < cutoff)
    if tenant_id is not None:
        query = query.where(SyncRun.tenant_id == tenant_id)
    stale = db.session.scalars(query).all()
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
