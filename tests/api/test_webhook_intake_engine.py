"""The acknowledgement's own engine: one autocommitted INSERT per delivery, committed before the 200, and a
pooled connection the server closed is replaced without losing the delivery (no ping before each use)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from app.config import INTAKE_BIND, database_binds
from app.extensions import db, huey
from app.services.accounts.tenants import create_tenant
from tests.conftest import POSTGRES_URL, dispose_engines, make_app, reset_schema, service_or_skip
from tests.fixtures.webhooks import SEED_PAYLOAD, configure, event_count, post


@pytest.fixture
def hooked_any_db(any_db_app):
    configure(create_tenant("Salón Uno", slug="uno").id)
    huey.storage.flush_queue()
    return any_db_app


@pytest.fixture
def hooked_postgres(tmp_path):
    """Tenant "uno" on PostgreSQL (a server that can close our connections)."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=service_or_skip(POSTGRES_URL, "DATABASE"))
    with app.app_context():
        reset_schema()
        db.create_all()
        configure(create_tenant("Salón Uno", slug="uno").id)
        huey.storage.flush_queue()
        yield app
        db.session.remove()
        reset_schema()
        dispose_engines()


def payload(message_id: int) -> dict:
    return {**SEED_PAYLOAD, "id": message_id, "account": {"id": 1}}


def test_the_intake_engine_is_autocommit_on_the_same_database():
    assert database_binds("sqlite:////tmp/x.db")[INTAKE_BIND] == {
        "url": "sqlite:////tmp/x.db", "isolation_level": "AUTOCOMMIT", "pool_pre_ping": False}
    # an in-memory database would be a different one on a second engine: the main engine serves instead
    assert database_binds("sqlite://") == {} and database_binds("sqlite:///:memory:") == {}


def test_an_acknowledged_delivery_is_committed_and_queued_once(hooked_any_db):
    answer = post(hooked_any_db.test_client(), payload(9001))
    assert answer.status_code == 200 and answer.get_json()["status"] == "accepted"
    # seen from a connection of its own, outside every session of the app: committed before the answer
    outside = create_engine(db.engine.url)
    try:
        with outside.connect() as conn:
            stored = conn.execute(text("SELECT id, status FROM webhook_events")).all()
    finally:
        outside.dispose()
    assert [tuple(row) for row in stored] == [(answer.get_json()["event_id"], "pending")]
    assert huey.pending_count() == 1
    again = post(hooked_any_db.test_client(), payload(9001))
    assert again.get_json() == {**again.get_json(), "status": "duplicate", "event_id": answer.get_json()["event_id"]}
    assert event_count() == 1 and huey.pending_count() == 1


def test_a_connection_the_server_closed_costs_no_delivery(hooked_postgres):
    http = hooked_postgres.test_client()
    assert post(http, payload(9101)).status_code == 200  # the intake engine now holds a pooled connection
    intake = db.engines[INTAKE_BIND]
    with intake.connect() as conn:
        backend = conn.scalar(text("SELECT pg_backend_pid()"))
    with db.engine.begin() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}) is True
    answer = post(http, payload(9102))
    assert answer.status_code == 200 and answer.get_json()["status"] == "accepted"
    assert event_count() == 2 and huey.pending_count() == 2
