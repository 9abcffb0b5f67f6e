"""SQLite locking: writers wait for the lock (busy_timeout), write units take it up front, readers never hold it."""

from __future__ import annotations

import contextlib
import sqlite3
import threading

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import Client
from app.models.events import write_transactions
from app.services.accounts.tenants import create_tenant
from tests.conftest import dispose_engines, make_app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT_MS=1500)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        dispose_engines()


@contextlib.contextmanager
def other_connection(timeout: float = 0.0):
    conn = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=timeout)
    try:
        yield conn
    finally:
        conn.close()


def lock_is_free() -> bool:
    """Whether another connection could take the write lock right now."""
    with other_connection() as conn:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return False
        conn.rollback()
        return True


def test_every_connection_waits_the_configured_busy_timeout(app):
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 1500
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_reading_holds_no_lock_and_the_first_write_takes_it(app):
    tenant = create_tenant("Salón Uno", slug="uno")
    db.session.commit()
    db.session.scalar(select(func.count()).select_from(Client))
    assert lock_is_free()
    db.session.add(Client(tenant_id=tenant.id, first_name="Ana", phone="5512345678"))
    db.session.flush()
    assert not lock_is_free()
    db.session.commit()
    assert lock_is_free()


def test_a_write_transaction_takes_the_lock_at_its_first_read(app):
    with write_transactions():
        db.session.scalar(select(func.count()).select_from(Client))
        assert not lock_is_free()
        db.session.rollback()
    db.session.scalar(select(func.count()).select_from(Client))
    assert lock_is_free()


def test_a_savepoint_that_reads_then_writes_waits_for_a_concurrent_writer_instead_of_failing(app):
    """pysqlite's own BEGIN handling made this fail with "database is locked" (and every write after it)."""
    tenant = create_tenant("Salón Uno", slug="uno")
    db.session.commit()
    with other_connection() as conn:
        conn.execute("CREATE TABLE elsewhere (n INTEGER)")

    path = db.engine.url.database

    def other_writer():
        with contextlib.closing(sqlite3.connect(path, isolation_level=None, timeout=10)) as conn:
            conn.execute("INSERT INTO elsewhere VALUES (1)")

    with db.session.begin_nested():
        db.session.scalar(select(func.count()).select_from(Client))
        writer = threading.Thread(target=other_writer)
        writer.start()
        writer.join(0.3)  # it waits for our lock rather than committing under our snapshot
        db.session.add(Client(tenant_id=tenant.id, first_name="Ana", phone="5512345678"))
    db.session.commit()
    writer.join(10)
    assert db.session.scalars(select(Client.first_name)).all() == ["Ana"]
    assert db.session.execute(text("SELECT count(*) FROM elsewhere")).scalar() == 1
