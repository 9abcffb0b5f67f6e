"""Login throttling counts concurrent attempts exactly: no burst gets more password checks than the limit."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from app.extensions import db
from app.models import LoginFailure, Role
from app.services.accounts.tenants import create_user
from tests.conftest import PASSWORD, csrf_from

ATTEMPTS = 18


def _burst(app, email: str, password: str, count: int) -> list[int]:
    """`count` browsers post the login form at the same instant; their status codes."""
    browsers = [app.test_client() for _ in range(count)]
    tokens = [csrf_from(b.get("/login").text) for b in browsers]
    start = threading.Barrier(count)

    def attempt(index: int) -> int:
        start.wait()
        return browsers[index].post("/login", data={"email": email, "password": password,
                                                    "csrf_token": tokens[index]}).status_code

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(attempt, range(count)))


def test_concurrent_wrong_passwords_get_at_most_the_limit_of_checks(any_db_app, hash_checks):
    app = any_db_app
    create_user("victim@example.com", PASSWORD, role=Role.ADMIN)
    db.session.commit()
    limit = app.config["LOGIN_MAX_FAILURES"]
    statuses = _burst(app, "victim@example.com", "guess guess guess", ATTEMPTS)
    assert len(hash_checks) == limit
    assert sorted(statuses) == [401] * limit + [429] * (ATTEMPTS - limit)
    # Refused attempts leave no row behind: the window ends 15 minutes after the last real failure.
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == limit
    assert _burst(app, "victim@example.com", PASSWORD, 1) == [429]


def test_the_right_password_clears_the_failures(app, staff_user, hash_checks):
    assert _burst(app, staff_user.email, "nope nope nope", 2) == [401, 401]
    assert _burst(app, staff_user.email, PASSWORD, 1) == [302]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0
    assert len(hash_checks) == 3


def test_one_address_is_throttled_across_emails(app, hash_checks):
    limit = app.config["LOGIN_MAX_FAILURES"] * 4
    for index in range(limit):
        assert _burst(app, f"nobody{index}@example.com", "guess guess guess", 1) == [401]
    assert _burst(app, "another@example.com", "guess guess guess", 1) == [429]
    assert len(hash_checks) == limit
