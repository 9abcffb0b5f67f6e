"""What the sync page shows about a run: progress, time left, and the history of runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import SyncRun, SyncStatus, Tenant, User, utcnow
from app.services.listing import Page, keyset_page

ACTIVE = (SyncStatus.QUEUED, SyncStatus.RUNNING)
HISTORY_PAGE = 20


@dataclass(frozen=True)
class Progress:
    run: SyncRun
    percent: int
    seconds_left: int | None

    @property
    def active(self) -> bool:
        return self.run.status in ACTIVE


def seconds_left(run: SyncRun, now: datetime | None = None) -> int | None:
    """Remaining time at the pace so far (elapsed / processed × remaining); None until there is a pace."""
    if run.status != SyncStatus.RUNNING or not run.started_at or run.processed <= 0 or run.total <= 0:
        return None
    elapsed = ((now or utcnow()) - run.started_at).total_seconds()
    remaining = max(run.total - run.processed, 0)
    return max(round(elapsed / run.processed * remaining), 0)


def progress(run: SyncRun, now: datetime | None = None) -> Progress:
    """The progress of one run, for the bar."""
    if run.total > 0:
        percent = min(100, int(run.processed * 100 / run.total))
    else:
        percent = 100 if run.status == SyncStatus.DONE else 0
    return Progress(run, percent, seconds_left(run, now))


def history(tenant: Tenant, cursor: str | None) -> Page:
    """The tenant's runs, newest first (index tenant_id, created_at)."""
    return keyset_page(select(SyncRun).where(SyncRun.tenant_id == tenant.id), SyncRun.created_at, SyncRun.id,
                       cursor, limit=HISTORY_PAGE)


def latest(tenant: Tenant) -> SyncRun | None:
    """The newest run, whatever its status: the page shows it on top."""
    page = keyset_page(select(SyncRun).where(SyncRun.tenant_id == tenant.id), SyncRun.created_at, SyncRun.id,
                       None, limit=1)
    return page.items[0] if page.items else None


def starters(runs: list[SyncRun]) -> dict[str, str]:
    """{user id: email} of the people who started these runs."""
    ids = {run.started_by_id for run in runs if run.started_by_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())
