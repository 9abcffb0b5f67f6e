"""Session hooks that keep derived columns honest on every write, whoever writes; SQLite locking hooks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from app.crypto import encrypt, is_encrypted
from app.models.client import Client
from app.models.settings import SecretColumnsMixin
from app.models.tenant import Tenant
from app.phone import canonical_phone, configured_region


def _encrypt_secrets(obj: SecretColumnsMixin) -> None:
    for column in obj.__secret_columns__:
        value = getattr(obj, column)
        if value and not is_encrypted(value):
            setattr(obj, column, encrypt(value))


def _tenant_region(session: Session, tenant_id: str, cache: dict[str, str]) -> str:
    if tenant_id not in cache:
        with session.no_autoflush:
            tenant = session.get(Tenant, tenant_id)
        cache[tenant_id] = (tenant.phone_region if tenant else None) or configured_region()
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


# SQLite locking. pysqlite's own transaction handling emits a deferred BEGIN before the first INSERT,
# UPDATE or DELETE but none before SAVEPOINT, so a savepoint opens a deferred transaction whose reads pin a
# snapshot; its first write then fails at once with "database is locked" (SQLite cannot wait for the
# write lock on behalf of a transaction that has already read), and every later write in it fails too.
# So we take control of BEGIN (SQLAlchemy's documented pysqlite recipe): the driver stays in autocommit
# mode and the hooks below begin each transaction themselves, always with BEGIN IMMEDIATE, which waits up
# to busy_timeout for the write lock instead of failing:
# - inside write_transactions(), at the transaction's first statement, so its reads and writes form one
#   serialised unit (what a batch of imported rows needs);
# - otherwise at its first write statement; reads before it run in autocommit, so a transaction that only
#   reads (a page view, a job reading before it calls Chatwoot) never holds the write lock.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")
_write_transactions: ContextVar[bool] = ContextVar("write_transactions", default=False)


@contextmanager
def write_transactions() -> Iterator[None]:
    """Transactions begun inside take the write lock up front (SQLite) or wait for locks at most the busy
    timeout (PostgreSQL's lock_timeout), so a busy database is an OperationalError, never a broken unit."""
    token = _write_transactions.set(True)
    try:
        yield
    finally:
        _write_transactions.reset(token)


def configure_engine(engine: Engine, busy_timeout_ms: int, autocommit: bool = False) -> None:
    """Register the locking hooks on one of the app's engines (SQLite and PostgreSQL).

    An autocommit engine (the webhook intake's) runs single statements, each its own transaction: it
    needs SQLite's connection settings but none of the BEGIN hooks.
    """
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", partial(_sqlite_connect, busy_timeout_ms=busy_timeout_ms))
        if not autocommit:
            event.listen(engine, "begin", _sqlite_begin)
            for name in ("do_execute", "do_executemany", "do_execute_no_params"):
                event.listen(engine, name, _sqlite_begin_before_write)
    elif engine.dialect.name == "postgresql" and not autocommit:
        event.listen(engine, "begin", partial(_postgresql_begin, busy_timeout_ms=busy_timeout_ms))


def _sqlite_connect(dbapi_connection, _record, busy_timeout_ms: int) -> None:
    """WAL lets readers and the worker proceed during writes; synchronous=NORMAL is durable across app
    crashes (only an OS crash can lose the last commits) and makes each webhook acknowledgement ~10x
    cheaper; busy_timeout makes a writer wait for the lock instead of failing."""
    dbapi_connection.isolation_level = None  # we emit BEGIN (see above)
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", f"busy_timeout={int(busy_timeout_ms)}"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    if _write_transactions.get():
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_before_write(cursor, statement: str, *_args) -> None:
    """A dialect execution hook (inside SQLAlchemy's error handling, so a lock timeout is wrapped as usual);
    returning None lets the statement itself run as normal."""
    if not cursor.connection.in_transaction and statement.lstrip()[:9].upper().startswith(_WRITES):
        cursor.execute("BEGIN IMMEDIATE")


def _postgresql_begin(conn: Connection, busy_timeout_ms: int) -> None:
    if _write_transactions.get():
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(busy_timeout_ms)}")
