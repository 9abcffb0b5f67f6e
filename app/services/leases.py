"""Leases on work rows: how long a worker's claim lasts, and renewing it while long work runs.

A claim (webhook event, notification, sync run, client delivery lock) holds for WORKER_LEASE_SECONDS
(60 by default) unless renewed; the work renews it every third of that, so a killed worker's rows are
free again within one lease and the sweep (every 20 s) hands them to another worker.

A renewal is its own short transaction on its own connection: it happens while the job's session has
nothing open (the job commits before every Chatwoot call), so it never waits on our own write.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Update

from app.extensions import db
from app.models import utcnow


def lease() -> timedelta:
    """How long a claim lasts unless renewed (WORKER_LEASE_SECONDS)."""
    return timedelta(seconds=float(current_app.config.get("WORKER_LEASE_SECONDS", 60)))


def renew_every() -> timedelta:
    """How often running work renews its lease: a third of it, so two missed beats still hold."""
    return lease() / 3


def lease_until(now: datetime | None = None) -> datetime:
    """When a claim taken (or renewed) now runs out."""
    return (now or utcnow()) + lease()


class Heartbeat:
    """Renews leases when a third of a lease has passed; each `statement(now)` is one renewing UPDATE."""

    def __init__(self, *statements: Callable[[datetime], Update]):
        self.statements = list(statements)
        self.last = utcnow()

    def due(self) -> bool:
        """A third of a lease has passed since the last renewal."""
        return utcnow() - self.last >= renew_every()

    def beat(self, force: bool = False) -> bool:
        """Renew the leases (when due, or always with force); False when one of them is no longer ours."""
        if not (force or self.due()):
            return True
        self.last = utcnow()
        with db.engine.begin() as conn:
            return all([conn.execute(statement(self.last)).rowcount == 1 for statement in self.statements])

    def sleep(self, seconds: float, sleep: Callable[[float], None] = time.sleep) -> None:
        """Sleep through a wait (a rate-limit window, a retry backoff) renewing the lease in between."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            sleep(min(left, renew_every().total_seconds()))
            self.beat()
