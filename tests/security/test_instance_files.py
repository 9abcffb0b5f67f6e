"""Files the app creates in instance/ are readable by their owner only (INTERFACES §7)."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from app import config, create_app
from app.extensions import db
from tests.conftest import dispose_engines


@pytest.fixture
def fresh_instance(monkeypatch, tmp_path):
    """A development environment with no instance/ yet, and the usual permissive umask."""
    instance = tmp_path / "instance"
    monkeypatch.setattr(config, "INSTANCE_DIR", instance)
    for name in ("APP_ENV", "SECRET_KEY", "ENCRYPTION_KEYS", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    previous = os.umask(0o022)
    yield instance
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_secrets_database_and_queue_are_owner_only(fresh_instance):
    settings = config.load_settings()
    assert _mode(fresh_instance) == 0o700
    files = {p.name: _mode(p) for p in fresh_instance.iterdir()}
    assert files == {"secret_key": 0o600, "encryption_keys": 0o600, "citaplanner.db": 0o600, "queue.db": 0o600}
    assert (fresh_instance / "secret_key").read_text().strip() == settings["SECRET_KEY"]

    app = create_app(settings)
    with app.app_context():
        db.create_all()  # SQLite writes into the file we made, and makes its WAL files with its mode
        db.session.execute(text("INSERT INTO tenants (id, name, slug, timezone, phone_region, created_at, "
                                "updated_at) VALUES ('t1', 'x', 'x', 'UTC', 'MX', '2026-01-01', '2026-01-01')"))
        db.session.commit()
        from app.jobs import ping

        ping("files")
        names = {p.name for p in fresh_instance.iterdir()}
        leaks = {p.name: oct(_mode(p)) for p in fresh_instance.iterdir() if _mode(p) & 0o077}
        db.session.remove()
        dispose_engines()
    assert {"citaplanner.db-wal", "citaplanner.db-shm", "queue.db-wal"} <= names
    assert leaks == {}


def test_an_existing_instance_dir_keeps_its_mode(fresh_instance):
    fresh_instance.mkdir(mode=0o750)
    config.load_settings()
    assert _mode(fresh_instance) == 0o750


def test_secrets_are_generated_once(fresh_instance):
    first, second = config.load_settings(), config.load_settings()
    assert (first["SECRET_KEY"], first["ENCRYPTION_KEYS"]) == (second["SECRET_KEY"], second["ENCRYPTION_KEYS"])
    assert not [p for p in fresh_instance.iterdir() if p.name.startswith(".")]  # no draft left behind
