"""One active sync run per tenant, held by the database: concurrent starts share one run."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.extensions import db, huey
from app.models import SyncRun, SyncStatus
from app.services.sync.runs import start_sync

STARTS = 8


def _start(app, tenant_id: str, barrier: threading.Barrier, ids: list[str]) -> None:
    with app.app_context():
        barrier.wait()
        for _ in range(20):  # a locked SQLite snapshot is retried, as the request would be
            try:
                run = start_sync(tenant_id)
                db.session.commit()
            except OperationalError:
                db.session.rollback()
                continue
            ids.append(run.id)
            break
        db.session.remove()


def test_eight_concurrent_starts_give_one_run(app, wired_tenant):
    barrier, ids = threading.Barrier(STARTS), []
    threads = [threading.Thread(target=_start, args=(app, wired_tenant.id, barrier, ids)) for _ in range(STARTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(ids) == STARTS, "every start answered"
    assert len(set(ids)) == 1, "they all show the same run"
    assert db.session.scalar(select(func.count()).select_from(SyncRun)) == 1
    assert db.session.get(SyncRun, ids[0]).status == SyncStatus.QUEUED
    assert huey.pending_count() == 1, "one job for the one run"
