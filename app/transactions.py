"""One unit of work for routes and CLI commands: commit once on success, roll back on a refusal.

Services flush and never commit; the request, the command or the job owns the transaction. A route
writes `with unit_of_work(SomeError) as work: outcome = operation(...)` and then looks at
`work.error`: an expected refusal (the given exception types) or a database that stayed busy is
rolled back and kept for the caller to explain, never a 500. Anything else rolls back and propagates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models.events import write_transactions

T = TypeVar("T")
RETRY_PAUSE_SECONDS = 0.2
# SQLite's busy handler re-tries a waiting writer's lock every 100 ms at most; a longer gap between two
# write transactions lets every writer already waiting in (it is a poll, not a queue).
SQLITE_HANDOVER_SECONDS = 0.12


class DatabaseBusy(Exception):
    """The database stayed locked or unreachable past its timeout; the caller may retry."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.message = detail


@dataclass
class Work:
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def is_busy(exc: OperationalError) -> bool:
    """A locked SQLite file or an unreachable server, not a bug such as a missing table."""
    text = str(exc.orig or exc).lower()
    return "locked" in text or "busy" in text or db.session.get_bind().dialect.name != "sqlite"


@contextmanager
def unit_of_work(*expected: type[Exception]) -> Iterator[Work]:
    """Commit on success; roll back and keep the error for an expected refusal or a busy database."""
    work = Work()
    try:
        yield work
        db.session.commit()
    except OperationalError as exc:
        db.session.rollback()
        if not is_busy(exc):
            raise
        work.error = DatabaseBusy(str(exc.orig) if exc.orig is not None else str(exc))
    except expected as exc:
        db.session.rollback()
        work.error = exc
    except BaseException:
        db.session.rollback()
        raise


def commit_with_retry(work: Callable[[], T], attempts: int) -> T:
    """Run `work` in one write transaction taken up front and commit it; when the database stays busy
    (each try waits the busy timeout), roll back and run it again, `attempts` tries in all, then DatabaseBusy."""
    attempt = 1
    while True:
        try:
            with write_transactions():
                result = work()
                db.session.commit()
            return result
        except OperationalError as exc:
            db.session.rollback()
            if not is_busy(exc):
                raise
            if attempt >= attempts:
                raise DatabaseBusy(str(exc.orig or exc).splitlines()[0]) from exc
        except BaseException:
            db.session.rollback()
            raise
        time.sleep(RETRY_PAUSE_SECONDS * attempt)
        attempt += 1


def discard() -> None:
    """Roll back the open transaction: one that only read, or work abandoned midway; nothing of it is stored
    and no snapshot or lock stays open."""
    db.session.rollback()


def let_waiting_writers_in() -> None:
    """Between two write transactions of a long job: give writers waiting for SQLite's lock their turn."""
    if db.session.get_bind().dialect.name == "sqlite":
        time.sleep(SQLITE_HANDOVER_SECONDS)
