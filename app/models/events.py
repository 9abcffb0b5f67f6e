"""Session hooks that keep derived columns honest on every write, whoever writes."""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.crypto import encrypt, is_encrypted
from app.models.client import Client
from app.models.settings import SecretColumnsMixin
from app.models.tenant import Tenant
from app.phone import canonical_phone


def _encrypt_secrets(obj: SecretColumnsMixin) -> None:
    for column in obj.__secret_columns__:
        value = getattr(obj, column)
        if value and not is_encrypted(value):
            setattr(obj, column, encrypt(value))


def _tenant_region(session: Session, tenant_id: str, cache: dict[str, str]) -> str:
    if tenant_id not in cache:
        with session.no_autoflush:
            tenant = session.get(Tenant, tenant_id)
        cache[tenant_id] = (tenant.phone_region if tenant else None) or "MX"
    return cache[tenant_id]


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    regions: dict[str, str] = {}
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, SecretColumnsMixin):
            _encrypt_secrets(obj)
        elif isinstance(obj, Client) and obj.phone is not None and _phone_changed(obj):
            obj.phone_e164 = canonical_phone(obj.phone, _tenant_region(session, obj.tenant_id, regions))


def _phone_changed(client: Client) -> bool:
    """Only a new or edited phone is canonicalised again: a number the 0008 migration cleared (several
    clients shared it) stays cleared until staff edit that client's phone."""
    state = inspect(client)
    return state.pending or state.attrs.phone.history.has_changes()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: WAL lets readers and the worker proceed during writes; synchronous=NORMAL is durable across
    app crashes (only an OS crash can lose the last commits) and makes each webhook acknowledgement ~10x
    cheaper. Wait instead of failing when another process holds the write lock."""
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
