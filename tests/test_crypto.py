"""Secrets at rest: round trip, rotation, plaintext written by SQL."""

from cryptography.fernet import Fernet
from sqlalchemy import select, text

from app.crypto import encrypt, is_encrypted, reveal, rotate
from app.extensions import db
from app.models import ChatwootConfig, NotificationSettings


def _settings(tenant):
    return db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))


def _raw_token(tenant):
    return db.session.execute(text("SELECT chatwoot_api_token FROM notification_settings WHERE tenant_id = :t"),
                              {"t": tenant.id}).scalar()


def test_token_is_encrypted_at_rest_and_round_trips(tenant):
    _settings(tenant).chatwoot_api_token = "tok-123"
    db.session.commit()
    raw = _raw_token(tenant)
    assert raw != "tok-123" and is_encrypted(raw)
    assert reveal(raw) == "tok-123"


def test_plaintext_written_by_sql_works_and_is_flagged_until_saved(tenant):
    db.session.execute(text("UPDATE notification_settings SET chatwoot_api_token = 'tu-token-aqui' "
                            "WHERE tenant_id = :t"), {"t": tenant.id})
    db.session.commit()
    db.session.expire_all()
    settings = _settings(tenant)
    assert reveal(settings.chatwoot_api_token) == "tu-token-aqui"
    assert settings.plaintext_secrets() == ["chatwoot_api_token"]
    settings.chatwoot_inbox_id = "7"  # any save re-encrypts
    db.session.commit()
    assert is_encrypted(_raw_token(tenant))
    assert _settings(tenant).plaintext_secrets() == []
    assert reveal(_settings(tenant).chatwoot_api_token) == "tu-token-aqui"


def test_rotation_first_key_encrypts_all_keys_decrypt(app, tenant):
    old_key = app.config["ENCRYPTION_KEYS"][0]
    _settings(tenant).chatwoot_api_token = "secret-one"
    db.session.commit()
    before = _raw_token(tenant)
    new_key = Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEYS"] = [new_key, old_key]
    assert reveal(before) == "secret-one"  # old key still decrypts
    runner = app.test_cli_runner()
    result = runner.invoke(args=["secrets", "rotate"])
    assert result.exit_code == 0, result.output
    after = _raw_token(tenant)
    assert after != before
    app.config["ENCRYPTION_KEYS"] = [new_key]  # the old key can now be retired
    assert reveal(after) == "secret-one"


def test_webhook_secret_in_chatwoot_configs_is_encrypted(tenant):
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))
    config.webhook_secret = "whsec"
    db.session.commit()
    raw = db.session.execute(text("SELECT webhook_secret FROM chatwoot_configs")).scalar()
    assert is_encrypted(raw) and reveal(raw) == "whsec"


def test_helpers(app):
    token = encrypt("x")
    assert is_encrypted(token) and reveal(token) == "x"
    assert reveal(None) is None and reveal("plain") == "plain"
    assert is_encrypted(rotate("plain"))
