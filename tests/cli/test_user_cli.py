"""flask user create | list | set-password (INTERFACES §5)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Role, User
from app.services.accounts.tenants import create_user
from tests.conftest import PASSWORD, Browser

NEW_PASSWORD = "otra contraseña larga"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, stdin=None):
        return runner.invoke(args=["user", *args], input=stdin)

    return invoke


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.mark.parametrize(("given", "stored"), [("staff", Role.STAFF), ("STAFF", Role.STAFF), ("Admin", Role.ADMIN)])
def test_create_takes_the_role_in_any_case(cli, tenant, given, stored):
    result = cli("create", "Nueva@Example.com", "--role", given, "--tenant", "uno", "--password-stdin",
                 stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user = _user("nueva@example.com")
    assert user.role == stored and result.stdout == f"{user.id}\tnueva@example.com\t{stored}\n"
    assert user.check_password(PASSWORD)


def test_create_refuses_an_unknown_role(cli, tenant):
    result = cli("create", "x@example.com", "--role", "owner", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.exit_code == 2 and "'owner' is not one of 'admin', 'staff'" in result.stderr
    assert _user("x@example.com") is None


def test_list_prints_email_role_tenants_and_state(app, cli, tenant, other_tenant, admin_user, staff_user):
    create_user("both@example.com", PASSWORD, role=Role.STAFF, tenants=[other_tenant, tenant])
    create_user("idle@example.com", PASSWORD, role=Role.STAFF).active = False
    db.session.commit()
    result = cli("list")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "admin@example.com\tadmin\t*\tactive",
        "both@example.com\tstaff\tdos,uno\tactive",
        "idle@example.com\tstaff\t-\tinactive",
        "staff@example.com\tstaff\tuno\tactive",
    ]


def test_set_password_from_stdin(app, cli, staff_user):
    result = cli("set-password", "STAFF@example.com", "--password-stdin", stdin=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output and "every session of this user has ended" in result.stdout
    assert Browser(app).login(staff_user.email, PASSWORD).status_code == 401
    assert Browser(app).login(staff_user.email, NEW_PASSWORD).status_code == 302
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.set_password"))
    assert (entry.actor, entry.object_id, entry.details) == ("cli", staff_user.id, {"email": staff_user.email})


def test_set_password_without_stdin_prints_a_generated_password_once(app, cli, staff_user):
    result = cli("set-password", staff_user.email)
    assert result.exit_code == 0, result.output
    passwords = re.findall(r"^Password: (\S+)$", result.stdout, flags=re.M)
    assert len(passwords) == 1 and len(passwords[0]) >= 12
    db.session.refresh(staff_user)
    assert passwords[0] not in staff_user.password_hash
    assert Browser(app).login(staff_user.email, passwords[0]).status_code == 302


@pytest.mark.parametrize(("email", "password", "message"), [
    ("nadie@example.com", NEW_PASSWORD, "no user with email nadie@example.com"),
    ("staff@example.com", "corta", "password must have at least 10 characters"),
])
def test_set_password_refusals_change_nothing(app, cli, staff, staff_user, email, password, message):
    before = staff_user.password_hash
    result = cli("set-password", email, "--password-stdin", stdin=password + "\n")
    assert result.exit_code == 1 and f"Error: {message}" in result.stderr
    db.session.refresh(staff_user)
    assert staff_user.password_hash == before
    assert staff.get("/t/uno/").status_code == 200  # the session lives on
