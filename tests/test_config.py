"""Configuration: production refuses to start without its secrets; development makes them once."""

import pytest

from app import config


def test_production_requires_secret_key_and_encryption_keys(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("ENCRYPTION_KEYS", raising=False)
    with pytest.raises(config.ConfigError, match="SECRET_KEY, ENCRYPTION_KEYS"):
        config.load_settings()


def test_development_generates_secrets_once(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("ENCRYPTION_KEYS", raising=False)
    first = config.load_settings()
    second = config.load_settings()
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) > 30
    assert first["ENCRYPTION_KEYS"] == second["ENCRYPTION_KEYS"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_seed_env_aliases_and_postgres_url(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setenv("NEXT_PUBLIC_CHATWOOT_BASE_URL", "https://chat.example.com")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/x")
    settings = config.load_settings()
    assert settings["CHATWOOT_BASE_URL"] == "https://chat.example.com"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/x"


@pytest.mark.parametrize(("value", "count"), [(None, 0), ("", 0), ("2", 2)])
def test_trusted_proxies_is_a_count_of_hops(monkeypatch, tmp_path, value, count):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    if value is not None:
        monkeypatch.setenv("TRUSTED_PROXIES", value)
    assert config.load_settings()["TRUSTED_PROXIES"] == count


@pytest.mark.parametrize("value", ["-1", "yes", "1.5"])
def test_trusted_proxies_refuses_anything_but_a_count(monkeypatch, tmp_path, value):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(config.ConfigError, match=f"TRUSTED_PROXIES must be .* not '{value}'"):
        config.load_settings()
