"""Which tenant a webhook delivery is for, and with what secret: looked up once per process and kept
for at most RECEIVER_CACHE_SECONDS (≤ 5 s, INTERFACES: a change takes effect everywhere within 5 s).

The acknowledgement is the hot path: without the cache every delivery pays a join over the settings
tables and a Fernet decryption. A commit in this process that touches a tenant's Chatwoot settings
empties this process's cache at once; other processes see the change when their entries expire.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import String, bindparam, event, func, select
from sqlalchemy.orm import Session

from app.crypto import reveal
from app.extensions import db
from app.models import ChatwootConfig, NotificationSettings, Tenant

MAX_CACHE_SECONDS = 5.0
_CHANGED = "webhook_receivers_changed"
_WATCHED = (ChatwootConfig, NotificationSettings, Tenant)
_WATCHED_TABLES = frozenset(model.__tablename__ for model in _WATCHED)


class UnknownReceiver(LookupError):
    """No tenant (or more than one, and the inbox does not decide) owns the account or token."""

    def __init__(self, code: str, account: str | None = None, inbox: str | None = None):
        super().__init__(code)
        self.code, self.account, self.inbox = code, account, inbox


@dataclass
class Receiver:
    """The tenant a delivery is for, with what its checks need (read as plain columns: no ORM loading)."""

    tenant_id: str
    stored_secret: str | None
    accept_unsigned: bool
    _secret: tuple[str | None] | None = field(default=None, repr=False, compare=False)

    def secret(self) -> str | None:
        """The tenant's webhook secret, else the CHATWOOT_WEBHOOK_SECRET fallback; decrypted once.

        An undecryptable value raises SecretDecryptError every time (nothing is remembered), so the
        delivery is answered 503 until someone re-enters the secret.
        """
        if self._secret is None:
            self._secret = (reveal(self.stored_secret) or current_app.config.get("CHATWOOT_WEBHOOK_SECRET") or None,)
        return self._secret[0]


def _effective(settings_column, config_column, env_value):
    return func.coalesce(func.nullif(func.trim(settings_column), ""), func.nullif(func.trim(config_column), ""),
                         env_value)


_RECEIVER = (ChatwootConfig.tenant_id, ChatwootConfig.webhook_secret, ChatwootConfig.accept_unsigned_webhooks)
_INBOXES = (NotificationSettings.chatwoot_inbox_id, ChatwootConfig.inbox_id, NotificationSettings.whatsapp_inbox_id,
            NotificationSettings.sms_inbox_id, NotificationSettings.email_inbox_id)
# Built once: building statements is a real share of a delivery's time.
_BY_ACCOUNT = (
    select(*_RECEIVER, *_INBOXES)
    .outerjoin(NotificationSettings, NotificationSettings.tenant_id == ChatwootConfig.tenant_id)
    .where(_effective(NotificationSettings.chatwoot_account_id, ChatwootConfig.account_id,
                      bindparam("env_account", type_=String)) == bindparam("account", type_=String))
)
_BY_TOKEN = select(*_RECEIVER).where(ChatwootConfig.webhook_token == bindparam("token", type_=String))


def for_account(account: str, inbox: str | None) -> Receiver:
    """The one tenant whose effective account id is `account` (the inbox decides when several share it)."""
    return _cached(("account", account, inbox), lambda: _load_for_account(account, inbox))


def for_token(token: str) -> Receiver:
    """The tenant whose per-tenant webhook URL carries `token`."""
    if not 0 < len(token) <= 64:
        raise UnknownReceiver("unknown_token")
    return _cached(("token", token), lambda: _load_for_token(token))


def _load_for_account(account: str, inbox: str | None) -> Receiver | UnknownReceiver:
    rows = db.session.execute(_BY_ACCOUNT, {"account": account,
                                            "env_account": current_app.config.get("CHATWOOT_ACCOUNT_ID")}).all()
    if not rows:
        return UnknownReceiver("unknown_account", account, inbox)
    if len(rows) > 1:
        rows = [row for row in rows if inbox is not None and inbox in _inbox_ids(row)]
    if len(rows) != 1:
        return UnknownReceiver("ambiguous_account", account, inbox)
    return Receiver(*rows[0][:3])


def _inbox_ids(row) -> set[str]:
    """Every Chatwoot inbox the tenant uses: the main one (effective value) and the per-channel ones."""
    main = row.chatwoot_inbox_id or row.inbox_id or current_app.config.get("CHATWOOT_INBOX_ID")
    values = (main, row.whatsapp_inbox_id, row.sms_inbox_id, row.email_inbox_id)
    return {str(value).strip() for value in values if value and str(value).strip()}


def _load_for_token(token: str) -> Receiver | UnknownReceiver:
    row = db.session.execute(_BY_TOKEN, {"token": token}).first()
    return UnknownReceiver("unknown_token") if row is None else Receiver(*row)


def _cache() -> dict:
    """This app's cache (one per app object, so test apps on different databases never share one)."""
    return current_app.extensions.setdefault("webhook_receivers", {})


def _lifetime() -> float:
    return min(float(current_app.config.get("RECEIVER_CACHE_SECONDS", MAX_CACHE_SECONDS)), MAX_CACHE_SECONDS)


def _cached(key: tuple, load) -> Receiver:
    """The cached answer for `key` while it is younger than the lifetime, else a fresh one.

    Unknown accounts and tokens are remembered too, so a flood for an account nobody owns costs no query.
    """
    cache, now = _cache(), time.monotonic()
    # The environment's fallbacks take part in the answer: a changed app config is a different key.
    config = current_app.config
    key += (config.get("CHATWOOT_ACCOUNT_ID"), config.get("CHATWOOT_INBOX_ID"), config.get("CHATWOOT_WEBHOOK_SECRET"))
    entry = cache.get(key)
    if entry is None or entry[0] <= now:
        entry = (now + _lifetime(), load())
        if len(cache) > 10_000:  # keys come from the sender: bound what a flood of made-up ids can hold
            cache.clear()
        cache[key] = entry
    if isinstance(entry[1], UnknownReceiver):
        raise entry[1]
    return entry[1]


def forget_all() -> None:
    """Empty this process's cache (a tenant's settings changed here)."""
    if has_app_context():
        _cache().clear()


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context) -> None:
    if any(isinstance(obj, _WATCHED) for objs in (session.new, session.dirty, session.deleted) for obj in objs):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete) and getattr(table, "name", None) in _WATCHED_TABLES:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_after_change(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        forget_all()


@event.listens_for(Session, "after_rollback")
def _drop_change_note(session: Session) -> None:
    session.info.pop(_CHANGED, None)
