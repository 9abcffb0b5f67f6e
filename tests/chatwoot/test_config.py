"""Effective per-tenant settings: field by field from notification_settings, chatwoot_configs, environment."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.chatwoot.api import chatwoot_api_service
from app.chatwoot.errors import ChatwootConfigError
from app.chatwoot.settings import (
    SOURCE_CONFIG,
    SOURCE_ENV,
    require_settings,
    resolve_settings,
    update_credentials,
)
from app.extensions import db
from app.models import ChatwootConfig, NotificationSettings


def rows(tenant):
    settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))
    return settings, config


def test_each_field_comes_from_the_first_source_that_has_it(app, tenant):
    settings, config = rows(tenant)
    settings.chatwoot_api_token = "tok-settings"
    config.api_access_token = "tok-config"
    config.base_url = "https://chat.example.com/"
    config.account_id = "3"
    app.config.update(CHATWOOT_ACCOUNT_ID="9", CHATWOOT_INBOX_ID="12", CHATWOOT_API_URL="https://env.example.com")
    db.session.commit()
    resolved = resolve_settings(tenant.id)
    # The token comes with the URL (chatwoot_configs), never from another source (INTERFACES §2).
    assert (resolved.api_token, resolved.api_url, resolved.account_id, resolved.inbox_id) == (
        "tok-config", "https://chat.example.com", "3", "12")
    assert resolved.sources == {"api_token": SOURCE_CONFIG, "api_url": SOURCE_CONFIG,
                                "account_id": SOURCE_CONFIG, "inbox_id": SOURCE_ENV}


def test_a_token_is_never_paired_with_another_sources_url(app, tenant):
    settings, _config = rows(tenant)
    settings.chatwoot_api_token = "tok-settings"
    settings.chatwoot_account_id = "1"
    app.config.update(CHATWOOT_API_URL="https://somewhere-else.example.com")
    db.session.commit()
    resolved = resolve_settings(tenant.id)
    assert resolved.api_url == "https://somewhere-else.example.com" and resolved.api_token is None
    with pytest.raises(ChatwootConfigError, match="api_token"):
        require_settings(tenant.id)


def test_blank_values_fall_through_and_nothing_set_reports_no_source(app, tenant):
    settings, _config = rows(tenant)
    settings.chatwoot_api_url = "   "
    db.session.commit()
    resolved = resolve_settings(tenant.id)
    assert resolved.api_url is None and resolved.sources["api_url"] is None
    assert resolved.missing == ["api_url", "api_token", "account_id"]


@pytest.mark.parametrize(("settings_on", "config_on", "enabled"), [
    (False, False, False), (True, False, True), (False, True, True), (True, True, True)])
def test_the_channel_is_on_when_either_row_says_so(app, tenant, settings_on, config_on, enabled):
    settings, config = rows(tenant)
    settings.chatwoot_enabled, config.enable_notifications = settings_on, config_on
    db.session.commit()
    assert resolve_settings(tenant.id).enabled is enabled


def test_require_settings_names_what_is_missing_or_wrong(app, tenant):
    with pytest.raises(ChatwootConfigError, match="missing api_url, api_token, account_id"):
        require_settings(tenant.id)
    settings, _config = rows(tenant)
    settings.chatwoot_api_url, settings.chatwoot_api_token, settings.chatwoot_account_id = "chat.example", "t", "1"
    db.session.commit()
    with pytest.raises(ChatwootConfigError, match="must start with http"):
        require_settings(tenant.id)
    settings.chatwoot_api_url, settings.chatwoot_account_id = "https://chat.example", "uno"
    with pytest.raises(ChatwootConfigError, match="account id must be a number: uno"):
        require_settings(tenant.id)
    with pytest.raises(ChatwootConfigError, match="no tenant"):
        require_settings("nope")


def test_the_seeds_sql_with_a_plaintext_token_works(app, tenant):
    db.session.execute(text(
        "UPDATE notification_settings SET chatwoot_enabled = true, chatwoot_api_url = 'https://app.chatwoot.com', "
        "chatwoot_api_token = 'tu-token-aqui', chatwoot_account_id = '1', chatwoot_inbox_id = '7' "
        "WHERE tenant_id = :t"), {"t": tenant.id})
    db.session.commit()
    resolved = chatwoot_api_service.load_config_for_tenant(tenant.id)
    assert (resolved.api_token, resolved.inbox_id, resolved.enabled) == ("tu-token-aqui", "7", True)
    assert "tu-token-aqui" not in repr(resolved)


def test_option_b_chatwoot_configs_works_alone(app, tenant):
    db.session.execute(text(
        "UPDATE chatwoot_configs SET enable_notifications = true, base_url = 'https://chat.example.com', "
        "api_access_token = 'tok-b', account_id = '4', inbox_id = '8' WHERE tenant_id = :t"), {"t": tenant.id})
    db.session.commit()
    resolved = require_settings(tenant.id)
    assert (resolved.api_url, resolved.api_token, resolved.account_id, resolved.enabled) == (
        "https://chat.example.com", "tok-b", "4", True)
    assert set(resolved.sources.values()) == {SOURCE_CONFIG}


def test_load_config_makes_no_network_call(app, tenant):
    update_credentials(tenant.id, api_url="http://127.0.0.1:9", account_id="1", api_token="tok", enabled=True)
    db.session.commit()
    assert chatwoot_api_service.load_config_for_tenant(tenant.id).api_url == "http://127.0.0.1:9"


def test_update_credentials_changes_only_given_fields_and_encrypts_secrets(app, tenant):
    _config, changed = update_credentials(tenant.id, api_url="https://chat.example.com/", account_id="1",
                                          inbox_id="7", api_token="tok-secret", webhook_secret="whsec", enabled=True)
    db.session.commit()
    assert changed == ["chatwoot_api_url", "chatwoot_account_id", "chatwoot_inbox_id", "chatwoot_api_token",
                       "chatwoot_enabled", "webhook_secret"]
    stored = db.session.execute(text("SELECT s.chatwoot_api_token, c.webhook_secret FROM notification_settings s "
                                     "JOIN chatwoot_configs c ON c.tenant_id = s.tenant_id")).one()
    assert "tok-secret" not in stored[0] and "whsec" not in stored[1]
    _config, changed = update_credentials(tenant.id, inbox_id="8")
    assert changed == ["chatwoot_inbox_id"]
    resolved = require_settings(tenant.id)
    assert (resolved.api_url, resolved.inbox_id, resolved.api_token) == ("https://chat.example.com", "8", "tok-secret")


def test_disabling_turns_off_both_switches(app, tenant):
    _settings, config = rows(tenant)
    config.enable_notifications = True
    update_credentials(tenant.id, enabled=False)
    assert resolve_settings(tenant.id).enabled is False


@pytest.mark.parametrize(("field", "value", "message"), [
    ("api_url", "chat.example.com", "must start with http"),
    ("account_id", "uno", "account id must be a number"),
    ("inbox_id", "7a", "inbox id must be a number"),
    ("api_token", "  ", "API access token is empty"),
    ("webhook_secret", "", "webhook secret is empty"),
])
def test_update_credentials_refuses_bad_values(app, tenant, field, value, message):
    with pytest.raises(ChatwootConfigError, match=message):
        update_credentials(tenant.id, **{field: value})
