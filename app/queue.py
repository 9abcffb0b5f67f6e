"""The job queue: Huey wiring, the task registry, the periodic sweep and the one outbox.

Huey stores its queue in an SQLite file by default and in Redis when REDIS_URL is set. The queue
carries ids only; database rows are the truth, and the periodic sweep re-enqueues anything a lost
message or a killed worker left behind.

Every feature hands work to the worker the same way: `enqueue_after_commit("task_name", id)`. The
task is sent once the current transaction commits (a worker must never look for a row it cannot see
yet) and forgotten if it rolls back. Code below `app.jobs` names tasks by name, so it never imports
the jobs layer.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, current_app, has_app_context
from huey import crontab
from huey.api import TaskWrapper
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import huey

log = logging.getLogger("queue")

TASKS: dict[str, TaskWrapper] = {}
_sweepers: list[Callable[[], object]] = []
_OUTBOX = "outbox"


def init_queue(app: Flask) -> None:
    """Point the shared Huey object at this app's storage."""
    if app.config.get("REDIS_URL"):
        huey.storage_class = RedisStorage
        huey.storage_kwargs = {"url": app.config["REDIS_URL"]}
    else:
        huey.storage_class = SqliteStorage
        # synchronous=OFF: no fsync per enqueue on the webhook's hot path. The queue only carries ids;
        # a message an OS crash loses is found again by the periodic sweep from the committed rows.
        huey.storage_kwargs = {"filename": app.config["HUEY_SQLITE_PATH"], "fsync": False}
    huey.storage = huey.create_storage()
    huey.immediate = bool(app.config.get("HUEY_IMMEDIATE"))
    huey.flask_app = app


def app_task(**options):
    """A Huey task that runs inside the Flask app context, registered by its function's name."""

    def decorator(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            if has_app_context():
                return func(*args, **kwargs)
            with huey.flask_app.app_context():
                return func(*args, **kwargs)

        task = huey.task(name=func.__name__, **options)(run)
        TASKS[func.__name__] = task
        return task

    return decorator


def enqueue(task: str, *args: str, eta: datetime | None = None) -> None:
    """Send `task(*args)` to the queue now (at `eta` when that is in the future)."""
    if eta is not None and eta > datetime.now(UTC):
        TASKS[task].schedule(args=args, eta=eta)
    else:
        TASKS[task](*args)


def enqueue_after_commit(task: str, *args: str, eta: datetime | None = None) -> None:
    """Queue `task(*args)` once the current transaction commits; nothing if it rolls back."""
    from app.extensions import db

    db.session.info.setdefault(_OUTBOX, []).append((task, args, eta))


def enqueue_committed(task: str, *args: str) -> None:
    """Queue `task(*args)` for a row already committed outside the session (the webhook intake's one
    autocommitted INSERT): the outbox's promise, kept without a transaction to wait for."""
    _send(task, args, None)


def _send(task: str, args: tuple, eta: datetime | None) -> None:
    try:
        enqueue(task, *args, eta=eta)
    except Exception:  # the row is committed: the sweep finds it once the queue is back
        log.exception("could not enqueue %s%r; the periodic sweep will pick it up", task, args)


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    for task, args, eta in session.info.pop(_OUTBOX, []):
        _send(task, args, eta)


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session: Session) -> None:
    session.info.pop(_OUTBOX, None)


def register_sweeper(func: Callable[[], object]) -> Callable[[], object]:
    """Register a function the periodic sweep calls (re-enqueue stuck rows, arm reminders...)."""
    _sweepers.append(func)
    return func


def run_sweepers() -> list[str]:
    """Run every registered sweeper; one failing does not stop the others."""
    failures = []
    for sweeper in _sweepers:
        try:
            sweeper()
        except Exception:  # a sweeper's bug must not stop the others from running
            current_app.logger.exception("sweeper %s failed", sweeper.__name__)
            failures.append(sweeper.__name__)
    return failures


SWEEP_EVERY_SECONDS = 20  # with a 60 s lease, a killed worker's rows are taken up within 80 s


@huey.periodic_task(crontab(minute="*"), name="sweep")
def sweep() -> None:
    """Run the sweepers now and twice more within the minute (cron's grain is a minute)."""
    with huey.flask_app.app_context():
        run_sweepers()
    for delay in range(SWEEP_EVERY_SECONDS, 60, SWEEP_EVERY_SECONDS):
        sweep_again.schedule(delay=delay)


@huey.task(name="sweep_again")
def sweep_again() -> None:
    with huey.flask_app.app_context():
        run_sweepers()
