"""flask apikey | chatwoot panel-url | chatwoot assign-stylist: the operation audits itself, so the CLI writes
the same line as the dashboard; a refusal or a locked database changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiKey, AuditLog, ChatwootConfig, StylistAgent


@pytest.fixture
def flask_cli(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        result = runner.invoke(args=list(args))
        db.session.expire_all()
        return result

    return invoke


def lines(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)
                                   .order_by(AuditLog.created_at, AuditLog.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def panel_token(tenant) -> str | None:
    return db.session.scalar(select(ChatwootConfig.panel_token).where(ChatwootConfig.tenant_id == tenant.id))


def shape(line: AuditLog) -> tuple:
    """What an audit line says apart from who wrote it and which row it names."""
    return line.action, line.tenant_id, line.object_type, line.details


def test_api_key_create_and_revoke_audit_alike_from_the_cli_and_the_dashboard(flask_cli, admin, admin_user, tenant):
    created = flask_cli("apikey", "create", "uno", "Caja")
    assert created.exit_code == 0, created.output
    cli_key = db.session.scalar(select(ApiKey).where(ApiKey.name == "Caja"))
    assert created.stdout.startswith(f"id: {cli_key.id}\n")
    assert admin.post("/t/uno/settings/api-keys", {"name": "Caja"}).status_code == 200
    web_key = db.session.scalar(select(ApiKey).where(ApiKey.name == "Caja", ApiKey.id != cli_key.id))
    assert flask_cli("apikey", "revoke", cli_key.id).exit_code == 0
    assert admin.post(f"/t/uno/settings/api-keys/{web_key.id}/revoke").status_code == 302

    for action in ("api_key.create", "api_key.revoke"):
        by_cli, by_web = lines(action)
        assert (by_cli.actor, by_cli.user_id, by_cli.object_id) == ("cli", None, cli_key.id)
        assert (by_web.actor, by_web.user_id, by_web.object_id) == (admin_user.email, admin_user.id, web_key.id)
        assert shape(by_cli) == shape(by_web) == (action, tenant.id, "api_key", {"name": "Caja"})


def test_a_refused_api_key_changes_nothing(flask_cli, tenant):
    audited = count(AuditLog)
    result = flask_cli("apikey", "create", "uno", "   ")
    assert result.exit_code == 1 and result.stderr == "Error: the key needs a name\n"
    assert count(ApiKey) == 0 and count(AuditLog) == audited


def test_panel_url_rotation_audits_alike_from_the_cli_and_the_dashboard(flask_cli, admin, admin_user, tenant):
    first = flask_cli("chatwoot", "panel-url", "uno")
    assert first.exit_code == 0 and first.stdout.strip().endswith(panel_token(tenant))
    assert lines("settings.panel_token_rotated") == [], "showing the URL is not a rotation"
    rotated = flask_cli("chatwoot", "panel-url", "uno", "--rotate")
    assert rotated.exit_code == 0 and rotated.stdout != first.stdout
    assert rotated.stdout.strip().endswith(panel_token(tenant))
    assert admin.post("/t/uno/settings/panel-url", {}).status_code == 302

    by_cli, by_web = lines("settings.panel_token_rotated")
    assert (by_cli.actor, by_cli.user_id) == ("cli", None)
    assert (by_web.actor, by_web.user_id) == (admin_user.email, admin_user.id)
    assert shape(by_cli) == shape(by_web) == ("settings.panel_token_rotated", tenant.id, "tenant", {})


def test_assign_stylist_is_audited_by_the_operation(flask_cli, tenant):
    assert flask_cli("chatwoot", "assign-stylist", "uno", " Laura ", "--agent-id", "7").exit_code == 0
    assert flask_cli("chatwoot", "assign-stylist", "uno", "Laura", "--clear").exit_code == 0
    mapped, cleared = lines("chatwoot.stylist_agent")
    assert [(line.actor, line.tenant_id, line.object_type, line.object_id) for line in (mapped, cleared)] == \
        [("cli", tenant.id, "stylist", "Laura")] * 2
    assert (mapped.details, cleared.details) == ({"before": None, "after": 7}, {"before": 7, "after": None})
    assert count(StylistAgent) == 0


def test_a_refused_stylist_changes_nothing(flask_cli, tenant):
    audited = count(AuditLog)
    result = flask_cli("chatwoot", "assign-stylist", "uno", "   ", "--agent-id", "7")
    assert result.exit_code == 1 and result.stderr == "Error: staff name is empty\n"
    assert count(StylistAgent) == 0 and count(AuditLog) == audited


def test_a_locked_database_stops_a_rotation_with_exit_75(flask_cli, tenant, locked_database):
    locked_database.execute("ROLLBACK")
    assert flask_cli("chatwoot", "panel-url", "uno").exit_code == 0
    before = panel_token(tenant)
    locked_database.execute("BEGIN IMMEDIATE")
    result = flask_cli("chatwoot", "panel-url", "uno", "--rotate")
    assert result.exit_code == 75 and result.stdout == ""
    assert result.stderr.startswith("Error: the database is busy (another process is writing); nothing was "
                                    "changed, run the command again")
    assert "Traceback" not in result.output
    assert panel_token(tenant) == before and lines("settings.panel_token_rotated") == []


def test_a_locked_database_stops_an_api_key_with_exit_75(flask_cli, tenant, locked_database):
    audited = count(AuditLog)
    result = flask_cli("apikey", "create", "uno", "Caja")
    assert result.exit_code == 75 and "nothing was changed" in result.stderr and "key:" not in result.stdout
    assert count(ApiKey) == 0 and count(AuditLog) == audited


def test_the_default_assignee_is_set_and_audited_from_the_cli(app, tenant):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["chatwoot", "default-assignee", "uno"]).exit_code != 0, "nothing given"
    result = runner.invoke(args=["chatwoot", "default-assignee", "uno", "--team-id", "4"])
    assert result.exit_code == 0 and "default team: 4" in result.output
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))
    assert (config.default_agent_id, config.default_team_id) == (None, 4)
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "chatwoot.default_team"))
    assert audit.actor == "cli" and audit.details == {"before": None, "after": 4}
    assert runner.invoke(args=["chatwoot", "default-assignee", "uno", "--clear"]).exit_code == 0
    db.session.refresh(config)
    assert config.default_team_id is None
