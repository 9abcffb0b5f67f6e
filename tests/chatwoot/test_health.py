"""The live credential check: a clear, exact problem for each way the settings can be wrong."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.chatwoot.settings import update_credentials
from app.extensions import db
from app.models import ChatwootConfig
from app.services.settings.health import check_connection
from tests.fixtures.simulator import ACCOUNT_ID


def stored(tenant) -> ChatwootConfig:
    return db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))


def test_valid_settings_report_the_inbox_and_are_stored(app, wired_tenant, chatwoot):
    result = check_connection(wired_tenant.id)
    assert result.ok and result.account_role == "administrator"
    assert (result.inbox_name, result.channel_type) == ("Integración CRM", "Channel::Api")
    assert result.message == ("Connected to Chatwoot account 1 as Carlos Ruiz (administrator); "
                              f"inbox {chatwoot.api_inbox_id} is “Integración CRM” (Channel::Api).")
    db.session.commit()
    config = stored(wired_tenant)
    assert (config.last_check_ok, config.inbox_name, config.inbox_channel_type) == (
        True, "Integración CRM", "Channel::Api")
    assert config.last_check_at is not None and config.last_check_message == result.message


def test_incomplete_settings_name_the_missing_field_without_calling(app, tenant, chatwoot):
    update_credentials(tenant.id, api_url=chatwoot.url, account_id="1")
    result = check_connection(tenant.id)
    assert not result.ok and result.message == "Chatwoot settings incomplete: missing api_token"
    assert chatwoot.sim.request_log == []
    assert stored(tenant).last_check_ok is False


def configure(tenant, chatwoot, **fields):
    values = {"api_url": chatwoot.url, "account_id": str(ACCOUNT_ID), "inbox_id": str(chatwoot.api_inbox_id),
              "api_token": "tok-admin", **fields}
    update_credentials(tenant.id, **values)
    db.session.commit()


@pytest.mark.parametrize(("setup", "fields", "expected"), [
    (None, {"api_token": "wrong"}, "Invalid Access Token: Chatwoot did not accept the API access token."),
    ("bot", {"api_token": "tok-bot"}, "This is an agent-bot token: contacts and sync need a user's access token"),
    ("outsider", {"api_token": "tok-outsider"}, "The token's user (Fuera) is not a member of Chatwoot account 1."),
    (None, {"inbox_id": "99"}, "Inbox 99 not found in account 1. Inboxes this token can use: 1 “Integración CRM” "
                               "(Channel::Api), 2 “WhatsApp Ventas” (Channel::Whatsapp)."),
    ("agent", {"api_token": "tok-agent"}, "The token's user is not a member of inbox 1: an administrator must add"),
    (None, {"api_url": "URL/no-chatwoot-here"}, "No Chatwoot API at "),
])
def test_each_problem_has_its_exact_message(app, tenant, chatwoot, setup, fields, expected):
    if setup == "bot":
        chatwoot.sim.add_bot_token("tok-bot", ACCOUNT_ID)
    elif setup == "outsider":
        chatwoot.sim.add_account(account_id=2, name="Otra")
        chatwoot.sim.add_user("tok-outsider", [2], name="Fuera")
    elif setup == "agent":
        chatwoot.sim.add_user("tok-agent", [ACCOUNT_ID], role="agent")
    if "api_url" in fields:
        fields = {"api_url": fields["api_url"].replace("URL", chatwoot.url)}
    configure(tenant, chatwoot, **fields)
    result = check_connection(tenant.id)
    assert not result.ok
    assert result.message.startswith(expected), result.message
    assert "tok-" not in result.message


def test_no_inbox_configured_lists_the_inboxes(app, tenant, chatwoot):
    update_credentials(tenant.id, api_url=chatwoot.url, account_id="1", api_token="tok-admin")
    result = check_connection(tenant.id)
    assert not result.ok
    assert result.message.startswith("No inbox configured, so messages cannot be sent. Inboxes this token can use: "
                                     "1 “Integración CRM” (Channel::Api)")


def test_unreachable_chatwoot(app, wired_tenant, chatwoot):
    chatwoot.server.stop()
    result = check_connection(wired_tenant.id)
    assert not result.ok
    assert result.message.startswith(f"Chatwoot is unreachable at {chatwoot.url}: Chatwoot could not connect")
    assert stored(wired_tenant).last_check_message == result.message


def test_timeout(app, wired_tenant, chatwoot):
    app.config["CHATWOOT_TIMEOUT"] = 0.2
    chatwoot.sim.set_latency(0.6, path_contains="/profile")
    result = check_connection(wired_tenant.id)
    assert not result.ok and "Chatwoot timed out" in result.message


def test_rate_limited(app, wired_tenant, chatwoot):
    chatwoot.sim.rate_limit_next(1)
    result = check_connection(wired_tenant.id)
    assert result == type(result)(False, "Chatwoot is rate limiting this account (429); try again in a minute.")
