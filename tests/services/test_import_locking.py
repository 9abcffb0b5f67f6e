"""CSV imports beside other writers: batches commit while webhooks keep being stored; a database that stays
locked stops the import with exit 2 and the number of rows already committed (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select

from app.extensions import db
from app.models import Client, WebhookEvent
from app.services.accounts.tenants import create_tenant
from tests.conftest import dispose_engines, make_app, reset_schema
from tests.fixtures.webhooks import configure, post


@contextlib.contextmanager
def app_on(tmp_path, url: str, **overrides):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url, **overrides)
    with app.app_context():
        reset_schema()
        db.create_all()
        configure(create_tenant("Salón Uno", slug="uno").id)
        try:
            yield app
        finally:  # a failed assertion must not leave connections open for a later test to trip over
            db.session.remove()
            reset_schema()
            dispose_engines()


def write_clients_csv(tmp_path, rows: int) -> str:
    path = tmp_path / "clients.csv"
    path.write_text("id,first_name,phone\n" + "".join(f"cp-{n},Cliente {n},55{n:08d}\n" for n in range(rows)))
    return str(path)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def message(n: int) -> dict:
    return {"event": "message_created", "id": n, "message_type": "incoming", "content": f"Hola {n}",
            "account": {"id": 1}, "conversation": {"id": 7, "inbox_id": 3, "meta": {"sender": {
                "id": 42, "phone_number": "+525512345678"}}}}


class Deliveries(threading.Thread):
    """Posts signed webhooks one after another until stopped; keeps every answer."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.http, self.answers, self.stop = app.test_client(), [], threading.Event()

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            response = post(self.http, message(n))
            self.answers.append((response.status_code, (response.get_json() or {}).get("status")))
            time.sleep(0.1)


@pytest.mark.timeout(900)  # 20,000 rows: about a minute on an idle machine, much more on a busy one
def test_a_long_import_and_webhooks_interleave_without_losing_anything(tmp_path, any_db_url):
    with app_on(tmp_path, any_db_url) as app:
        path = write_clients_csv(tmp_path, 20_000)
        deliveries = Deliveries(app)
        deliveries.start()
        try:
            result = app.test_cli_runner().invoke(args=["clients", "import", "uno", path])
            during_import = len(deliveries.answers)
        finally:
            deliveries.stop.set()
            deliveries.join(30)
        assert result.exit_code == 0, result.output
        assert "created: 20000  updated: 0  rejected: 0" in result.output
        assert count(Client) == 20_000
        assert during_import >= 10  # the webhooks really ran while the import did
        assert set(deliveries.answers) == {(200, "accepted")}
        assert count(WebhookEvent) == len(deliveries.answers)


@contextlib.contextmanager
def write_lock_held(url: str):
    """Another connection holds the clients table's write lock until the block ends."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("LOCK TABLE clients IN EXCLUSIVE MODE")
            yield
            conn.rollback()
    finally:
        engine.dispose()


def test_an_import_stops_with_exit_2_when_the_database_stays_locked(tmp_path, any_db_url):
    settings = {"SQLITE_BUSY_TIMEOUT_MS": 150, "IMPORT_LOCK_ATTEMPTS": 2, "IMPORT_BATCH_ROWS": 10}
    with app_on(tmp_path, any_db_url, **settings) as app:
        path = write_clients_csv(tmp_path, 2_000)  # enough rows that the lock comes before the end
        locked, release = threading.Event(), threading.Event()

        def lock_after_some_batches():
            reader = create_engine(any_db_url)
            with reader.connect() as conn:
                while conn.exec_driver_sql("SELECT count(*) FROM clients").scalar() < 30:
                    conn.rollback()
                    time.sleep(0.005)
            reader.dispose()
            with write_lock_held(any_db_url):
                locked.set()
                release.wait(60)

        holder = threading.Thread(target=lock_after_some_batches, daemon=True)
        holder.start()
        try:
            result = app.test_cli_runner().invoke(args=["clients", "import", "uno", path])
        finally:
            release.set()
            holder.join(30)
        assert locked.is_set()
        assert result.exit_code == 2, result.output
        reported = re.search(r"database stayed locked .*; (\d+) rows committed, stopped before line (\d+)",
                             result.output)
        assert reported, result.output
        committed, line = int(reported[1]), int(reported[2])
        # Batches end at 10 rows or after IMPORT_BATCH_SECONDS, whichever comes first (a loaded machine
        # cuts some short), so only whole batches count: what was reported is what the database holds.
        assert 30 <= committed < 2_000
        assert line == committed + 2
        assert count(Client) == committed
        assert f"created: {committed}  updated: 0  rejected: 0" in result.output


@pytest.mark.parametrize("rows", [1, 25])
def test_batches_commit_every_row_once(tmp_path, rows):
    with app_on(tmp_path, "sqlite:///" + str(tmp_path / "batches.db"), IMPORT_BATCH_ROWS=10) as app:
        result = app.test_cli_runner().invoke(args=["clients", "import", "uno", write_clients_csv(tmp_path, rows)])
        assert result.exit_code == 0 and f"created: {rows}  updated: 0  rejected: 0" in result.output
        assert sorted(db.session.scalars(select(Client.external_id))) == sorted(f"cp-{n}" for n in range(rows))


def test_a_duplicate_in_a_later_batch_is_still_recognised(tmp_path):
    with app_on(tmp_path, "sqlite:///" + str(tmp_path / "batches.db"), IMPORT_BATCH_ROWS=10) as app:
        path = tmp_path / "dup.csv"
        path.write_text("id,first_name,phone\n" + "".join(f"cp-{n},C {n},55{n:08d}\n" for n in range(15))
                        + "cp-3,Otra,5599990000\n")
        result = app.test_cli_runner().invoke(args=["clients", "import", "uno", str(path)])
        assert result.exit_code == 1
        assert "created: 15  updated: 0  rejected: 1" in result.output
        assert "line 17: duplicate of line 5 in this file" in result.output
        assert count(Client) == 15
