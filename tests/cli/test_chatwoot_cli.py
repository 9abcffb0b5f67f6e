"""flask chatwoot configure | check | sync | find-client | send-test (INTERFACES §5)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.chatwoot.settings import require_settings
from app.extensions import db
from app.models import AuditLog, ChatwootConfig, Client, SyncRun, SyncStatus
from tests.fixtures.simulator import ACCOUNT_ID, ADMIN_TOKEN


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, stdin=None):
        return runner.invoke(args=["chatwoot", *args], input=stdin)

    return invoke


def add_client(tenant, first, phone, last="") -> Client:
    client = Client(tenant_id=tenant.id, first_name=first, last_name=last, phone=phone)
    db.session.add(client)
    db.session.commit()
    return client


def test_configure_writes_encrypted_secrets_and_prints_the_webhook_urls(app, tenant, cli, chatwoot):
    app.config["APP_BASE_URL"] = "https://citas.example.com"
    result = cli("configure", "uno", "--api-url", chatwoot.url, "--account-id", "1", "--inbox-id",
                 str(chatwoot.api_inbox_id), "--token-stdin", "--webhook-secret-stdin", "--enable",
                 stdin=f"{ADMIN_TOKEN}\nwh-secret-123\n")
    assert result.exit_code == 0, result.output
    token = db.session.scalar(select(ChatwootConfig.webhook_token).where(ChatwootConfig.tenant_id == tenant.id))
    assert result.stdout.splitlines()[-2:] == [
        "Webhook URL (signed deliveries): https://citas.example.com/api/webhooks/chatwoot",
        f"Webhook URL for Chatwoot versions that do not sign: https://citas.example.com/api/webhooks/chatwoot/{token}"]
    assert ADMIN_TOKEN not in result.output and "wh-secret-123" not in result.output
    raw = db.session.execute(text("SELECT s.chatwoot_api_token, c.webhook_secret FROM notification_settings s "
                                  "JOIN chatwoot_configs c ON c.tenant_id = s.tenant_id")).one()
    assert ADMIN_TOKEN not in raw[0] and "wh-secret-123" not in raw[1]
    settings = require_settings(tenant.id)
    assert (settings.api_token, settings.enabled, settings.inbox_id) == (ADMIN_TOKEN, True,
                                                                         str(chatwoot.api_inbox_id))
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "settings.credentials"))
    assert audit.actor == "cli" and "chatwoot_api_token" in audit.details["fields"]
    assert cli("check", "uno").exit_code == 0


def test_configure_only_the_secret_and_disable(app, wired_tenant, cli):
    result = cli("configure", wired_tenant.id, "--webhook-secret-stdin", "--disable", stdin="otro-secreto\n")
    assert result.exit_code == 0
    assert "Saved the Chatwoot settings of uno: chatwoot_enabled, webhook_secret." in result.stdout
    settings = require_settings(wired_tenant.id)
    assert settings.enabled is False and settings.api_token == ADMIN_TOKEN


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--api-url", "chat.example.com"], None, "Error: Chatwoot API URL must start with http:// or https://"),
    (["--account-id", "uno"], None, "Error: Chatwoot account id must be a number: uno"),
    (["--token-stdin"], "\n", "Error: the API access token is empty"),
])
def test_configure_refuses_bad_values(app, tenant, cli, args, stdin, message):
    result = cli("configure", "uno", *args, stdin=stdin)
    assert result.exit_code == 1 and result.stderr.startswith(message)


def test_unknown_tenant(app, tenant, cli):
    result = cli("check", "nadie")
    assert result.exit_code == 1 and result.stderr == "Error: no tenant with id or slug 'nadie'\n"


def test_check_prints_the_inbox_or_the_exact_problem(app, wired_tenant, cli, chatwoot):
    result = cli("check", "uno")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "Inbox: Integración CRM (Channel::Api)"
    db.session.execute(text("UPDATE notification_settings SET chatwoot_api_token = 'wrong'"))
    db.session.commit()
    result = cli("check", "uno")
    assert result.exit_code == 1
    assert result.stderr == "Error: Invalid Access Token: Chatwoot did not accept the API access token.\n"
    stored = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == wired_tenant.id))
    assert stored.last_check_ok is False


def test_sync_shows_progress_and_ends_with_the_counts(app, wired_tenant, cli, chatwoot):
    chatwoot.sim.add_contact(ACCOUNT_ID, name="Juan", phone_number="+5215512345678")
    add_client(wired_tenant, "Juan", "5512345678", "Pérez")
    add_client(wired_tenant, "María", "5587654321")
    add_client(wired_tenant, "Ana", "5599990000")
    add_client(wired_tenant, "Sofía", "no tengo")
    result = cli("sync", "uno")
    assert result.exit_code == 0, result.output
    assert "Syncing clients" in result.stderr
    assert result.stdout.splitlines()[-2:] == [
        "Synced 3 of 4",
        "created: 2  linked: 1  updated: 0  failed: 0  skipped: 1  searches: 0"]
    assert result.stderr.count("no valid phone number") == 1


def test_sync_refuses_while_another_runs(app, wired_tenant, cli):
    db.session.add(SyncRun(tenant_id=wired_tenant.id, status=SyncStatus.RUNNING))
    db.session.commit()
    result = cli("sync", "uno")
    assert result.exit_code == 1 and "a sync is already running for this salon" in result.stderr


def test_sync_that_fails_exits_non_zero(app, wired_tenant, cli, chatwoot):
    add_client(wired_tenant, "Juan", "5512345678")
    chatwoot.sim.fail_next(100, status=401, body={"error": "Invalid Access Token"})
    result = cli("sync", "uno")
    assert result.exit_code == 1 and "Error: sync failed: Chatwoot: Invalid Access Token" in result.stderr


def test_find_client(app, tenant, cli):
    juan = add_client(tenant, "Juan", "5512345678", "Pérez")
    result = cli("find-client", "uno", "+52 1 55 1234 5678")
    assert (result.exit_code, result.stdout) == (0, f"{juan.id}  Juan Pérez  +525512345678\n")
    assert cli("find-client", "uno", "5599990000").stderr == (
        "Error: no client of uno has the phone +525599990000\n")
    assert cli("find-client", "uno", "hola").stderr == "Error: not a phone number: it contains letters\n"
    with pytest.raises(IntegrityError):  # one phone, one client: a second client cannot hold the number
        add_client(tenant, "Ana", "+52 55 1234 5678 ")
    db.session.rollback()


def test_send_test_to_a_phone_and_to_a_client(app, wired_tenant, cli, chatwoot):
    result = cli("send-test", "uno", "--to", "55 1234 5678", "--message", "Hola desde la CLI")
    assert result.exit_code == 0, result.output
    [conversation] = chatwoot.sim.conversations(ACCOUNT_ID)
    [message] = chatwoot.sim.messages(ACCOUNT_ID, conversation["id"])
    assert result.stdout.startswith(f"Sent: conversation {conversation['id']}, message {message['id']} ")
    client = add_client(wired_tenant, "María", "5587654321")
    result = cli("send-test", "uno", "--client", client.id, "--message", "Hola María")
    assert result.exit_code == 0
    assert [c["phone_number"] for c in chatwoot.sim.contacts(ACCOUNT_ID)] == ["+525512345678", "+525587654321"]


ONE_OF = "Error: give exactly one of --to PHONE or --client ID\n"


@pytest.mark.parametrize(("args", "error"), [
    (["--message", "x"], ONE_OF),
    (["--to", "5512345678", "--client", "c1", "--message", "x"], ONE_OF),
    (["--client", "nope", "--message", "x"], "Error: no client nope in uno\n"),
    (["--to", "hola", "--message", "x"], "Error: not a phone number: it contains letters\n"),
])
def test_send_test_errors(app, wired_tenant, cli, args, error):
    result = cli("send-test", "uno", *args)
    assert (result.exit_code, result.stderr) == (1, error)


def test_send_test_when_chatwoot_refuses(app, wired_tenant, cli, chatwoot):
    chatwoot.sim.fail_next(1, status=422, body={"error": "Validation failed: Too many messages"},
                           path_contains="/messages")
    result = cli("send-test", "uno", "--to", "5512345678", "--message", "x")
    assert (result.exit_code, result.stderr) == (1, "Error: Validation failed: Too many messages\n")
