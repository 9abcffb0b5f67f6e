"""Settings from the environment; development secrets are generated once into instance/."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from dotenv import load_dotenv
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))

ENV_ALIASES = {
    "CHATWOOT_BASE_URL": "NEXT_PUBLIC_CHATWOOT_BASE_URL",
    "CHATWOOT_WEBSITE_TOKEN": "NEXT_PUBLIC_CHATWOOT_WEBSITE_TOKEN",
}


class ConfigError(RuntimeError):
    """The configuration cannot be used to start the service."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name) or os.environ.get(ENV_ALIASES.get(name, ""), "")
    return value.strip() or default


def _instance_dir() -> Path:
    """instance/; when we create it, only its owner may enter it."""
    with contextlib.suppress(FileExistsError):
        INSTANCE_DIR.mkdir(mode=0o700, parents=True)
    return INSTANCE_DIR


def _private_file(path: Path, content: str = "") -> None:
    """Create path readable by its owner only (never readable by others, not even for an instant)."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(content)


def _instance_secret(filename: str, make) -> str:
    """Read a development secret from instance/, creating it the first time."""
    path = _instance_dir() / filename
    if not path.exists():
        # Written aside, then linked into place: when processes start together (web, worker) the first
        # link wins and every process reads that one, complete.
        draft = path.with_name(f".{filename}.{secrets.token_hex(8)}")
        _private_file(draft, make() + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()


def _private_sqlite(path: Path | None) -> None:
    """Create an SQLite file ourselves, owner-only, before SQLite would (with the umask's mode); SQLite
    gives its journal and WAL files the database file's mode."""
    if path is None or not path.parent.is_dir():
        return
    with contextlib.suppress(FileExistsError):
        _private_file(path)  # an empty file is an empty SQLite database


def _sqlite_file(url: str) -> Path | None:
    """The database file of a plain SQLite URL (in-memory and URI-style ones are left alone)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:") or parsed.query:
        return None
    return INSTANCE_DIR / parsed.database  # Flask-SQLAlchemy reads relative paths from instance/ too


# The webhook acknowledgement writes its one row through an engine of its own: in autocommit the INSERT is
# its own transaction (one round trip to PostgreSQL instead of BEGIN, INSERT, COMMIT, and none of the
# session's bookkeeping), and without a ping before each use (a connection found dead is replaced and the
# INSERT tried once more: services/webhooks/intake.py).
INTAKE_BIND = "intake"


def database_binds(database_uri: str) -> dict:
    """SQLALCHEMY_BINDS for `database_uri`: the intake engine on the same database (none for an in-memory
    SQLite, which a second engine would not share)."""
    parsed = make_url(database_uri)
    if parsed.get_backend_name() == "sqlite" and (parsed.database in (None, "", ":memory:")
                                                  or parsed.query.get("mode") == "memory"):
        return {}
    return {INTAKE_BIND: {"url": database_uri, "isolation_level": "AUTOCOMMIT", "pool_pre_ping": False}}


def _proxy_count() -> int:
    value = _env("TRUSTED_PROXIES") or "0"
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise ConfigError(f"TRUSTED_PROXIES must be the number of proxies in front (0 or more), not {value!r}")
    return count


def is_production() -> bool:
    return (_env("APP_ENV") or _env("FLASK_ENV") or "development").lower() == "production"


def _flag(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def default_allow_private_network() -> bool:
    """CHATWOOT_ALLOW_PRIVATE_NETWORK: on in development (the bundled simulator), off in production."""
    return _flag("CHATWOOT_ALLOW_PRIVATE_NETWORK", not is_production())


def load_settings() -> dict:
    """Build the Flask config mapping from the environment (and .env, which never overrides it)."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    production = is_production()
    secret_key = _env("SECRET_KEY")
    keys = _env("ENCRYPTION_KEYS")
    if production and (not secret_key or not keys):
        missing = [n for n, v in (("SECRET_KEY", secret_key), ("ENCRYPTION_KEYS", keys)) if not v]
        raise ConfigError(f"production needs {', '.join(missing)} in the environment")
    if not secret_key:
        secret_key = _instance_secret("secret_key", lambda: secrets.token_urlsafe(48))
    if not keys:
        keys = _instance_secret("encryption_keys", lambda: Fernet.generate_key().decode())
    _instance_dir()
    database_url, redis_url = _database_url(), _env("REDIS_URL")
    _private_sqlite(_sqlite_file(database_url))
    if not redis_url:
        _private_sqlite(INSTANCE_DIR / "queue.db")
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": secret_key,
        "ENCRYPTION_KEYS": [k.strip() for k in keys.split(",") if k.strip()],
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLITE_BUSY_TIMEOUT_MS": int(_env("SQLITE_BUSY_TIMEOUT_MS") or 5000),
        "IMPORT_BATCH_ROWS": 500,
        "IMPORT_BATCH_SECONDS": 0.5,
        "IMPORT_LOCK_ATTEMPTS": 3,
        "REDIS_URL": redis_url,
        "HUEY_SQLITE_PATH": str(INSTANCE_DIR / "queue.db"),
        # Unset: pages show the address they were requested on, the CLI http://127.0.0.1:$PORT.
        "APP_BASE_URL": (_env("APP_BASE_URL") or "").rstrip("/"),
        "SIMULATOR_STATE_PATH": str(INSTANCE_DIR / "chatwoot-simulator.json"),
        "DEFAULT_PHONE_REGION": (_env("DEFAULT_PHONE_REGION") or "MX").upper(),
        "CHATWOOT_API_URL": _env("CHATWOOT_API_URL"),
        "CHATWOOT_API_ACCESS_TOKEN": _env("CHATWOOT_API_ACCESS_TOKEN"),
        "CHATWOOT_ACCOUNT_ID": _env("CHATWOOT_ACCOUNT_ID"),
        "CHATWOOT_INBOX_ID": _env("CHATWOOT_INBOX_ID"),
        "CHATWOOT_WEBHOOK_SECRET": _env("CHATWOOT_WEBHOOK_SECRET"),
        "CHATWOOT_BASE_URL": _env("CHATWOOT_BASE_URL"),
        "CHATWOOT_WEBSITE_TOKEN": _env("CHATWOOT_WEBSITE_TOKEN"),
        "CHATWOOT_TIMEOUT": float(_env("CHATWOOT_TIMEOUT") or 10),
        "TRUSTED_PROXIES": _proxy_count(),
        "WEBHOOK_RETENTION_DAYS": _positive_int("WEBHOOK_RETENTION_DAYS", 30),
        # How long a web process trusts its cached webhook receivers (tenant, secret); never above 5 s.
        "RECEIVER_CACHE_SECONDS": min(float(_env("RECEIVER_CACHE_SECONDS") or 5), 5.0),
        "CHATWOOT_ALLOW_PRIVATE_NETWORK": default_allow_private_network(),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_WINDOW_SECONDS": 15 * 60,
        "BABEL_DEFAULT_LOCALE": "es_MX",
        "BABEL_DEFAULT_TIMEZONE": "America/Mexico_City",
        "LANGUAGES": ["es_MX", "en"],
        "HUEY_IMMEDIATE": False,
        # A worker's claim on a row (webhook event, notification, sync run, client lock) lasts this long
        # unless renewed; the work renews it every third of it, the sweep takes over expired ones.
        "WORKER_LEASE_SECONDS": float(_env("WORKER_LEASE_SECONDS") or 60),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }


def _positive_int(name: str, default: int) -> int:
    text = _env(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, got {text!r}")
    return int(text)


def _database_url() -> str:
    url = _env("DATABASE_URL") or "sqlite:///" + str(INSTANCE_DIR / "citaplanner.db")
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    elif url == "sqlite:///instance/citaplanner.db":
        url = "sqlite:///" + str(INSTANCE_DIR / "citaplanner.db")
    return url


def test_settings(tmp_path: Path, **overrides) -> dict:
    """A self-contained configuration for tests: files under tmp_path, fixed keys."""
    settings = load_settings()
    settings.update(
        TESTING=True,
        SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "test.db"),
        HUEY_SQLITE_PATH=str(tmp_path / "queue.db"),
        SIMULATOR_STATE_PATH=str(tmp_path / "chatwoot-simulator.json"),
        REDIS_URL=None,
        ENCRYPTION_KEYS=[Fernet.generate_key().decode()],
        SECRET_KEY="test-secret",
        SESSION_COOKIE_SECURE=False,
    )
    settings.update(overrides)
    return settings
