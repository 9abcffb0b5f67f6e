"""One delivery per client at a time, across threads, processes and machines: a leased row per client.

Why a lease row and not SELECT … FOR UPDATE: the lock must be held while we call Chatwoot (find or
create the contact, open the conversation). A row lock would keep a database transaction open during
those calls (idle in transaction on PostgreSQL; on SQLite the whole database would stay write-locked),
and SQLite has no row locks at all. A conditional UPDATE on a lock row is atomic on both backends, each
step commits at once on its own connection, and a worker that dies frees the lock when the lease ends
(WORKER_LEASE_SECONDS; the delivery renews it while it works, see renew_lock).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Update, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ClientDeliveryLock, utcnow
from app.services.leases import lease_until

WAIT_SECONDS = 30.0
POLL_SECONDS = 0.05
LOCKS = ClientDeliveryLock.__table__


class LockBusy(Exception):
    """Another delivery to the same client held the lock for longer than we wait; try again later."""


def _try_acquire(conn: Connection, client_id: str, holder: str, now: datetime) -> bool:
    free = or_(LOCKS.c.leased_until.is_(None), LOCKS.c.leased_until < now)
    taken = conn.execute(update(LOCKS).where(LOCKS.c.client_id == client_id, free)
                         .values(holder=holder, leased_until=lease_until(now)))
    if taken.rowcount:
        return True
    if conn.scalar(select(LOCKS.c.client_id).where(LOCKS.c.client_id == client_id)) is not None:
        return False
    try:
        with conn.begin_nested():
            conn.execute(insert(LOCKS).values(client_id=client_id, holder=holder, leased_until=lease_until(now)))
    except IntegrityError:  # another worker created the row first: it holds the lock
        return False
    return True


def acquire(client_id: str, wait: float = WAIT_SECONDS) -> str:
    """Take the client's lock, waiting up to `wait` seconds; returns the holder token for release()."""
    holder, deadline = uuid.uuid4().hex, time.monotonic() + wait
    while True:
        with db.engine.begin() as conn:
            if _try_acquire(conn, client_id, holder, utcnow()):
                return holder
        if time.monotonic() >= deadline:
            raise LockBusy(f"another delivery to client {client_id} is still in progress")
        time.sleep(POLL_SECONDS)


def release(client_id: str, holder: str) -> None:
    """Free the lock if we still hold it (an expired lease may already belong to someone else)."""
    with db.engine.begin() as conn:
        conn.execute(update(LOCKS).where(LOCKS.c.client_id == client_id, LOCKS.c.holder == holder)
                     .values(holder=None, leased_until=None))


def renew_lock(client_id: str, holder: str):
    """The statement that renews our lease on the client's lock (a Heartbeat runs it)."""

    def statement(now: datetime) -> Update:
        return update(LOCKS).where(LOCKS.c.client_id == client_id, LOCKS.c.holder == holder) \
            .values(leased_until=lease_until(now))

    return statement


@contextmanager
def client_lock(client_id: str, wait: float = WAIT_SECONDS) -> Iterator[str]:
    """Hold the client's delivery lock for the duration of the block (yields the holder token).

    The caller's session must have nothing uncommitted: on SQLite our own write would wait on it.
    """
    holder = acquire(client_id, wait)
    try:
        yield holder
    finally:
        release(client_id, holder)
