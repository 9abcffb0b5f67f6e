"""flask tenant create | user create | secrets rotate: audited like the dashboard, refusals change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Tenant, User


@pytest.fixture
def flask_cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, stdin=None):
        result = runner.invoke(args=list(args), input=stdin)
        db.session.expire_all()
        return result

    return invoke


def audit_line(action: str, target_id: str) -> AuditLog:
    return db.session.scalar(select(AuditLog).where(AuditLog.action == action, AuditLog.object_id == target_id))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_tenant_create_writes_the_same_audit_line_as_the_dashboard(flask_cli, admin, admin_user):
    result = flask_cli("tenant", "create", "Salón Norte", "--timezone", "America/Monterrey")
    assert result.exit_code == 0, result.output
    from_cli = db.session.scalar(select(Tenant).where(Tenant.slug == "salon-norte"))
    assert result.stdout == f"{from_cli.id}\tsalon-norte\tSalón Norte\n"
    assert admin.post("/admin/tenants", {"name": "Salón Sur", "timezone": "America/Mexico_City",
                                         "region": "MX"}).status_code == 302
    from_dashboard = db.session.scalar(select(Tenant).where(Tenant.slug == "salon-sur"))
    cli_line, web_line = audit_line("tenant.create", from_cli.id), audit_line("tenant.create", from_dashboard.id)
    assert (cli_line.actor, cli_line.user_id) == ("cli", None)
    assert (web_line.actor, web_line.user_id) == (admin_user.email, admin_user.id)
    for line, tenant in ((cli_line, from_cli), (web_line, from_dashboard)):
        assert (line.tenant_id, line.object_type) == (tenant.id, "tenant")
        assert line.details == {"name": tenant.name, "slug": tenant.slug}


def test_refused_tenant_create_changes_nothing(flask_cli, tenant):
    lines = count(AuditLog)
    result = flask_cli("tenant", "create", "Otro Uno", "--slug", "uno")
    assert result.exit_code == 1 and result.stderr == "Error: slug already in use: uno\n"
    assert count(Tenant) == 1 and count(AuditLog) == lines


def test_user_create_is_audited_by_the_cli(flask_cli, tenant):
    result = flask_cli("user", "create", "Nueva@Example.com", "--role", "staff", "--tenant", "uno",
                       "--password-stdin", stdin="una clave larga\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "nueva@example.com"))
    line = audit_line("user.create", user.id)
    assert (line.actor, line.tenant_id) == ("cli", None)
    assert line.details == {"email": "nueva@example.com", "role": "staff", "tenants": ["uno"]}


def test_staff_without_tenant_is_refused_and_nothing_is_written(flask_cli, tenant):
    result = flask_cli("user", "create", "x@example.com", "--role", "staff", "--password-stdin",
                       stdin="una clave larga\n")
    assert result.exit_code == 1 and "needs at least one --tenant" in result.stderr
    assert count(User) == 0


def test_secrets_rotate_is_audited(flask_cli, tenant):
    result = flask_cli("secrets", "rotate")
    assert result.exit_code == 0, result.output
    line = db.session.scalar(select(AuditLog).where(AuditLog.action == "secrets.rotate"))
    assert line.actor == "cli" and line.details == {"count": 0}


def test_a_busy_database_exits_75_with_a_message_and_changes_nothing(flask_cli, tenant, locked_database):
    result = flask_cli("tenant", "create", "Salón Ocupado")
    assert result.exit_code == 75
    assert result.stderr.startswith("Error: the database is busy (another process is writing); nothing was "
                                    "changed, run the command again")
    assert "Traceback" not in result.output
    assert count(Tenant) == 1  # readers are not blocked by the other connection's write lock

