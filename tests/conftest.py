"""Shared fixtures: an app on a fresh SQLite file per test, users, tenants, logged-in clients."""

from __future__ import annotations

import os
import re

import pytest
from flask import g

from app import create_app
from app.config import test_settings
from app.extensions import db
from app.models import Role
from app.services.accounts.tenants import create_tenant, create_user

pytest_plugins = ["tests.fixtures.simulator"]

PASSWORD = "correct horse battery"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_sessionstart(session):
    """Compile the translation catalogs, so a bare `pytest` sees the same UI as `make test`."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).parent.parent.glob("app/translations/*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src, mo.open("wb") as dst:
                write_mo(dst, read_po(src))


def service_or_skip(url: str | None, name: str) -> str:
    """The URL of a real service; in CI (REQUIRE_SERVICES=1) a missing one fails instead of skipping."""
    if url:
        return url
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} URL missing but REQUIRE_SERVICES=1")
    pytest.skip(f"set TEST_{name}_URL to run against a real {name}")


def _fresh_globals(_endpoint=None, _values=None):
    """Tests keep an app context open, which Flask reuses for requests: give each request a clean g,
    as in production (otherwise the CSRF token and the logged-in user leak between requests)."""
    for key in list(vars(g)):
        delattr(g, key)


def dispose_engines() -> None:
    """Close every pooled connection of the current app (its main engine and the webhook intake's)."""
    for engine in db.engines.values():
        engine.dispose()


def make_app(tmp_path, **overrides):
    app = create_app(test_settings(tmp_path, **overrides))
    app.url_value_preprocessors.setdefault(None, []).insert(0, _fresh_globals)
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        dispose_engines()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request, tmp_path):
    """A database URL per backend: SQLite always, PostgreSQL when TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "any.db")
    return service_or_skip(POSTGRES_URL, "DATABASE")


@pytest.fixture
def any_db_app(tmp_path, any_db_url):
    """An app with the schema created on each backend; the PostgreSQL schema is reset around the test."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=any_db_url)
    with app.app_context():
        reset_schema()
        db.create_all()
        yield app
        db.session.remove()
        reset_schema()
        dispose_engines()


def reset_schema() -> None:
    """Drop every table (and Alembic's version table) so each test starts from nothing."""
    db.session.remove()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


@pytest.fixture
def tenant(app):
    t = create_tenant("Salón Uno", slug="uno")
    db.session.commit()
    return t


@pytest.fixture
def other_tenant(app):
    t = create_tenant("Salón Dos", slug="dos")
    db.session.commit()
    return t


@pytest.fixture
def admin_user(app):
    user = create_user("admin@example.com", PASSWORD, role=Role.ADMIN)
    db.session.commit()
    return user


@pytest.fixture
def staff_user(app, tenant):
    user = create_user("staff@example.com", PASSWORD, role=Role.STAFF, tenants=[tenant])
    db.session.commit()
    return user


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)


class Browser:
    """Flask test client that logs in through the real form and keeps the CSRF token at hand."""

    def __init__(self, app):
        self.http = app.test_client()
        self.csrf = None

    def login(self, email: str, password: str = PASSWORD):
        page = self.http.get("/login")
        response = self.http.post("/login", data={"email": email, "password": password,
                                                  "csrf_token": csrf_from(page.text)})
        home = self.http.get("/", follow_redirects=True)
        self.csrf = csrf_from(home.text)
        return response

    def get(self, url, **kw):
        return self.http.get(url, **kw)

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf)
        return self.http.post(url, data=data, **kw)


@pytest.fixture
def visitor(app):
    return Browser(app)


@pytest.fixture
def admin(app, admin_user):
    b = Browser(app)
    b.login(admin_user.email)
    return b


@pytest.fixture
def staff(app, staff_user):
    b = Browser(app)
    b.login(staff_user.email)
    return b


@pytest.fixture
def locked_database(app):
    """Another connection holds a write transaction open on the SQLite file; ours give up after 0.2 s, not 5."""
    import sqlite3

    from sqlalchemy import event

    def short_timeout(dbapi_connection, _record, _proxy):
        dbapi_connection.execute("PRAGMA busy_timeout = 200")

    event.listen(db.engine, "checkout", short_timeout)
    other = sqlite3.connect(db.engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.execute("ROLLBACK")
    other.close()
    event.remove(db.engine, "checkout", short_timeout)
