"""The job queue: Huey on an SQLite file by default, on Redis when REDIS_URL is set.

The queue carries ids only; database rows are the truth, and the periodic sweep re-enqueues
anything a lost message or a killed worker left behind.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Flask, current_app, has_app_context
from huey import crontab
from huey.storage import RedisStorage, SqliteStorage

from app.extensions import huey

_sweepers: list[Callable[[], None]] = []


def init_queue(app: Flask) -> None:
    """Point the shared Huey object at this app's storage."""
    if app.config.get("REDIS_URL"):
        huey.storage_class = RedisStorage
        huey.storage_kwargs = {"url": app.config["REDIS_URL"]}
    else:
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": app.config["HUEY_SQLITE_PATH"]}
    huey.storage = huey.create_storage()
    huey.immediate = bool(app.config.get("HUEY_IMMEDIATE"))
    huey.flask_app = app


def app_task(**options):
    """A Huey task that runs inside the Flask app context (the worker has none of its own)."""

    def decorator(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            if has_app_context():
                return func(*args, **kwargs)
            with huey.flask_app.app_context():
                return func(*args, **kwargs)

        return huey.task(name=func.__name__, **options)(run)

    return decorator


def register_sweeper(func: Callable[[], None]) -> Callable[[], None]:
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


@huey.periodic_task(crontab(minute="*"), name="sweep")
def sweep() -> None:
    with huey.flask_app.app_context():
        run_sweepers()


@app_task()
def ping(value: str) -> str:
    """A trivial job: proves a worker consumes the queue (used by tests and /healthz tooling)."""
    from app.extensions import db
    from app.models import AuditLog

    db.session.add(AuditLog(actor="worker", action="queue.ping", details={"value": value}))
    db.session.commit()
    return value


from app.jobs import notifications, sync, webhooks  # noqa: E402,F401  (register the tasks and their sweepers)
