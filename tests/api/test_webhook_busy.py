"""A delivery that cannot be stored because the database stays locked is answered 503, so it may be retried."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from app.extensions import db, huey
from app.services.accounts.tenants import create_tenant
from tests.conftest import dispose_engines, make_app
from tests.fixtures.webhooks import SEED_PAYLOAD, configure, event_count, post


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT_MS=100)
    with app.app_context():
        db.create_all()
        configure(create_tenant("Salón Uno", slug="uno").id)
        yield app
        db.session.remove()
        dispose_engines()


@contextlib.contextmanager
def write_lock_held():
    conn = sqlite3.connect(db.engine.url.database, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


def test_a_locked_database_answers_503_and_the_retry_is_stored(app):
    http = app.test_client()
    payload = {**SEED_PAYLOAD, "account": {"id": 1}}
    with write_lock_held():
        busy = post(http, payload)
    assert busy.status_code == 503
    assert busy.get_json()["success"] is False and busy.get_json()["code"] == "unavailable"
    assert event_count() == 0 and huey.pending_count() == 0
    retried = post(http, payload)
    assert retried.status_code == 200 and retried.get_json()["status"] == "accepted"
    assert event_count() == 1 and huey.pending_count() == 1
