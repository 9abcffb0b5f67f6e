"""A secret that looks like a Fernet token ("gAAAAA...") is still a secret: encrypted at rest, and it works."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from app.chatwoot.settings import update_credentials
from app.crypto import PREFIX, fernet_for, reveal
from app.extensions import db
from app.models import ChatwootConfig, NotificationSettings
from tests.fixtures.webhooks import SEED_PAYLOAD, configure, post

# A real Fernet token under a key this app does not have: exactly what main took as "already encrypted".
LOOKALIKE = Fernet(Fernet.generate_key()).encrypt(b"chatwoot secret").decode()


def _raw(sql: str) -> list[str]:
    return [value for value in db.session.execute(text(sql)).scalars() if value]


@pytest.fixture
def lookalike_tenant(tenant):
    configure(tenant.id, secret=None)
    update_credentials(tenant.id, webhook_secret=LOOKALIKE, api_token=LOOKALIKE)
    db.session.commit()
    return tenant


def test_the_database_holds_no_plaintext(lookalike_tenant):
    assert LOOKALIKE.startswith("gAAAAA")
    stored = _raw("SELECT webhook_secret FROM chatwoot_configs") + \
        _raw("SELECT chatwoot_api_token FROM notification_settings")
    assert len(stored) == 2
    for value in stored:
        assert value.startswith(PREFIX) and LOOKALIKE not in value and reveal(value) == LOOKALIKE


def test_webhooks_signed_with_it_are_accepted(app, lookalike_tenant):
    http = app.test_client()
    accepted = post(http, {**SEED_PAYLOAD, "account": {"id": 1}}, secret=LOOKALIKE)
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    forged = post(http, {**SEED_PAYLOAD, "id": 124, "account": {"id": 1}}, secret="another secret")
    assert forged.status_code == 401


def test_a_lookalike_written_by_sql_works_is_flagged_and_encrypted_on_the_next_save(app, tenant):
    configure(tenant.id, secret=None)
    db.session.execute(text("UPDATE chatwoot_configs SET webhook_secret = :s WHERE tenant_id = :t"),
                       {"s": LOOKALIKE, "t": tenant.id})
    db.session.commit()
    db.session.expire_all()
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))
    assert config.plaintext_secrets() == ["webhook_secret"]
    response = post(app.test_client(), {**SEED_PAYLOAD, "account": {"id": 1}}, secret=LOOKALIKE)
    assert response.status_code == 200 and response.json["status"] == "accepted"
    config.accept_unsigned_webhooks = False  # any save of the row
    db.session.commit()
    [stored] = _raw("SELECT webhook_secret FROM chatwoot_configs")
    assert stored.startswith(PREFIX) and reveal(stored) == LOOKALIKE
    settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
    assert settings.plaintext_secrets() == []


def test_the_migration_prefixes_values_this_app_encrypted_and_nothing_else(any_db_app):
    """0007: bare Fernet tokens under the app's keys get enc:v1:; a lookalike under no known key is plaintext."""
    from flask_migrate import downgrade, upgrade

    from tests.conftest import reset_schema

    reset_schema()
    upgrade(revision="0004_session_version")
    ours = fernet_for(any_db_app.config["ENCRYPTION_KEYS"]).encrypt(b"tok-real").decode()
    db.session.execute(text("INSERT INTO tenants (id, name, slug, timezone, phone_region, created_at, updated_at) "
                            "VALUES ('t1', 'Uno', 'uno', 'America/Mexico_City', 'MX', :n, :n)"),
                       {"n": "2026-01-01 00:00:00"})
    db.session.execute(text(
        "INSERT INTO chatwoot_configs (id, tenant_id, api_access_token, webhook_secret, webhook_token, "
        "enable_notifications, accept_unsigned_webhooks, auto_create_clients, attribute_definitions_ready, "
        "created_at, updated_at) VALUES ('c1', 't1', :ours, :lookalike, 'tok', false, false, false, false, :n, :n)"),
        {"ours": ours, "lookalike": LOOKALIKE, "n": "2026-01-01 00:00:00"})
    db.session.commit()
    upgrade(revision="0007_secrets_prefix")
    token, secret = db.session.execute(text("SELECT api_access_token, webhook_secret FROM chatwoot_configs")).one()
    assert token == PREFIX + ours and reveal(token) == "tok-real"
    assert secret == LOOKALIKE and reveal(secret) == LOOKALIKE  # plaintext: works, flagged, encrypted on save
    downgrade(revision="0004_session_version")
    assert db.session.execute(text("SELECT api_access_token FROM chatwoot_configs")).scalar() == ours
