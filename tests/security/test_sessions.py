"""A session cookie stops working everywhere on logout, password change or deactivation (INTERFACES §7)."""

from __future__ import annotations

from app.extensions import db
from app.services.accounts.tenants import set_active
from tests.conftest import PASSWORD, Browser

NEW_PASSWORD = "a brand new passphrase"


def _stolen_cookie(browser: Browser) -> str:
    return browser.http.get_cookie("session").value


def _replay(app, cookie: str) -> int:
    """The attacker's request: a fresh client carrying only the captured cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/t/uno/").status_code


def test_cookie_captured_before_logout_is_refused_after_it(app, staff, staff_user):
    cookie = _stolen_cookie(staff)
    assert _replay(app, cookie) == 200  # the capture works while the session lives
    assert staff.post("/logout").status_code == 302
    assert _replay(app, cookie) == 302


def test_logout_ends_the_users_sessions_in_other_browsers(app, staff, staff_user):
    laptop = Browser(app)
    laptop.login(staff_user.email)
    assert laptop.get("/t/uno/").status_code == 200
    staff.post("/logout")
    assert laptop.get("/t/uno/").status_code == 302
    assert laptop.login(staff_user.email).status_code == 302  # logging in again works
    assert laptop.get("/t/uno/").status_code == 200


def test_logout_leaves_other_users_logged_in(app, staff, admin):
    staff.post("/logout")
    assert admin.get("/t/uno/").status_code == 200


def test_set_password_from_the_cli_ends_every_session(app, staff, staff_user):
    cookie = _stolen_cookie(staff)
    result = app.test_cli_runner().invoke(args=["user", "set-password", staff_user.email, "--password-stdin"],
                                          input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert _replay(app, cookie) == 302
    assert staff.get("/t/uno/").status_code == 302


def test_any_password_change_ends_the_sessions(app, staff, staff_user):
    cookie = _stolen_cookie(staff)
    staff_user.set_password(NEW_PASSWORD)
    db.session.commit()
    assert _replay(app, cookie) == 302
    assert Browser(app).login(staff_user.email, PASSWORD).status_code == 401
    assert Browser(app).login(staff_user.email, NEW_PASSWORD).status_code == 302


def test_deactivation_ends_the_sessions_and_reactivation_does_not_revive_them(app, staff, staff_user, admin_user):
    cookie = _stolen_cookie(staff)
    set_active(staff_user, False, by=admin_user)
    db.session.commit()
    assert _replay(app, cookie) == 302
    set_active(staff_user, True, by=admin_user)
    db.session.commit()
    assert _replay(app, cookie) == 302
