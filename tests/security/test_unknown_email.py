"""An unknown email costs the same password-hash work as a known one, so the answer time tells nothing."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.conftest import PASSWORD, Browser


def _method(pwhash: str) -> str:
    """The hash's algorithm and cost parameters, e.g. 'scrypt:32768:8:1'."""
    return pwhash.split("$", 1)[0]


@pytest.mark.parametrize("email", ["staff@example.com", "nobody@example.com"])
def test_a_wrong_login_checks_one_hash_of_the_same_kind(app, staff_user, hash_checks, email):
    response = Browser(app).login(email, "wrong password!")
    assert response.status_code == 401
    assert [_method(h) for h in hash_checks] == [_method(staff_user.password_hash)]


def test_an_unknown_email_is_checked_against_a_hash_no_password_matches(app, staff_user, hash_checks):
    assert Browser(app).login("nobody@example.com", PASSWORD).status_code == 401
    assert Browser(app).login("nobody2@example.com", "anything at all").status_code == 401
    assert len(hash_checks) == 2 and staff_user.password_hash not in hash_checks


def test_an_inactive_user_costs_the_same_work_and_is_refused(app, staff_user, hash_checks):
    staff_user.active = False
    db.session.commit()
    assert Browser(app).login(staff_user.email, PASSWORD).status_code == 401
    assert hash_checks == [staff_user.password_hash]
