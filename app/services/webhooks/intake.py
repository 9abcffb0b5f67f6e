"""Accepting a Chatwoot webhook delivery: size, JSON, tenant and signature checks, then a durable row.

Checks run in the order INTERFACES §4 fixes; the first that fails answers, and a rejected delivery
never writes anything. An accepted one is stored whole with a dedupe key and queued for the worker.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from app import jsonbody
from app.chatwoot import payloads as wp
from app.config import INTAKE_BIND
from app.extensions import db
from app.models import WebhookEvent, WebhookStatus, new_id, utcnow
from app.queue import enqueue_committed
from app.services.webhooks import receivers
from app.services.webhooks.receivers import Receiver

MAX_BODY_BYTES = 1024 * 1024
MAX_SKEW_SECONDS = 300
MAX_KEY_LENGTH = 200


class WebhookRejected(Exception):
    """The delivery is refused; `status` is the HTTP answer, `code` a stable name, `message` the reason."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Delivery:
    """What one POST carried."""

    body: bytes
    signature: str | None = None
    timestamp: str | None = None
    delivery_id: str | None = None


@dataclass(frozen=True)
class IntakeResult:
    status: str  # accepted | duplicate | ignored
    event: str
    event_id: str | None = None
    reason: str | None = None


def receive_on_account_url(delivery: Delivery) -> IntakeResult:
    """The bare URL: size, JSON with an account id, the tenant owning it, then the signature."""
    check_size(delivery.body)
    payload = parse_event(delivery.body)
    account = wp.account_id(payload)
    if account is None:
        raise WebhookRejected(400, "no_account_id", "El evento no indica account.id; use la URL con token del salón")
    receiver = receiver_for_account(account, wp.inbox_id(payload))
    signed = check_signature(receiver, delivery, unsigned_allowed=receiver.accept_unsigned)
    return accept(receiver, payload, delivery, signed)


def receive_on_token_url(token: str, delivery: Delivery) -> IntakeResult:
    """The per-tenant URL: size, the token, the signature when the tenant has a secret, then the JSON."""
    check_size(delivery.body)
    receiver = receiver_for_token(token)
    signed = check_signature(receiver, delivery, unsigned_allowed=not effective_secret(receiver))
    return accept(receiver, parse_event(delivery.body), delivery, signed)


def check_size(body: bytes) -> None:
    if len(body) > MAX_BODY_BYTES:
        raise WebhookRejected(413, "too_large", "El cuerpo supera 1 MiB")


_JSON_PROBLEMS = {
    "invalid_json": "El cuerpo no es JSON válido en UTF-8",
    "too_deep": f"El JSON está anidado a más de {jsonbody.MAX_DEPTH} niveles",
    "invalid_unicode": "El JSON contiene un escape Unicode inválido (un sustituto suelto como \\ud800)",
}


def parse_event(body: bytes) -> dict:
    """The body as a Chatwoot event object, or 400 saying what is wrong with it."""
    try:
        payload = jsonbody.loads(body)
    except jsonbody.JSONBodyError as exc:
        raise WebhookRejected(400, exc.code, _JSON_PROBLEMS[exc.code]) from None
    if not isinstance(payload, dict):
        raise WebhookRejected(400, "not_an_object", "Se esperaba un objeto JSON con un evento de Chatwoot")
    if wp.event_name(payload) is None:
        raise WebhookRejected(400, "not_an_event", 'No es un evento de Chatwoot: falta el campo "event"')
    return payload


def receiver_for_account(account: str, inbox: str | None) -> Receiver:
    """The one tenant whose effective account id is `account` (the inbox decides when several share it)."""
    try:
        return receivers.for_account(account, inbox)
    except receivers.UnknownReceiver as unknown:
        if unknown.code == "unknown_account":
            raise WebhookRejected(404, "unknown_account",
                                  f"Ningún salón tiene configurada la cuenta de Chatwoot {account}") from None
        raise WebhookRejected(404, "ambiguous_account", f"Varios salones usan la cuenta {account} y la bandeja "
                                                        f"{inbox} no decide cuál: use la URL con token de cada salón"
                              ) from None


def receiver_for_token(token: str) -> Receiver:
    try:
        return receivers.for_token(token)
    except receivers.UnknownReceiver:
        raise WebhookRejected(404, "unknown_token", "URL de webhook desconocida") from None


def effective_secret(receiver: Receiver) -> str | None:
    """The tenant's webhook secret, else the CHATWOOT_WEBHOOK_SECRET fallback."""
    return receiver.secret()


def check_signature(receiver: Receiver, delivery: Delivery, unsigned_allowed: bool) -> bool:
    """True when the delivery is signed and valid, False when unsigned and allowed; 401 otherwise.

    A delivery that carries X-Chatwoot-Signature is never taken as unsigned: it must verify against
    this tenant's secret even where unsigned deliveries are allowed (else another account's signed
    deliveries could be stored under a tenant that merely claims its account id).
    """
    if delivery.signature is None and unsigned_allowed:
        return False
    secret = effective_secret(receiver)
    if not secret and unsigned_allowed:
        raise WebhookRejected(401, "unverifiable_signature",
                              "La entrega viene firmada pero este salón no tiene secreto de webhook para "
                              "verificarla: configure el secreto")
    if not secret:
        raise WebhookRejected(401, "no_secret", "Este salón no tiene secreto de webhook: configure el secreto "
                                                "(o active la aceptación de entregas sin firma)")
    if delivery.signature is None:
        raise WebhookRejected(401, "missing_signature", "Falta la firma X-Chatwoot-Signature")
    stamp = _fresh_timestamp(delivery.timestamp)
    expected = "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + delivery.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), delivery.signature.strip().encode("utf-8", "replace")):
        raise WebhookRejected(401, "bad_signature", "Firma inválida")
    return True


def _fresh_timestamp(value: str | None) -> str:
    stamp = (value or "").strip()
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12) \
            or abs(time.time() - int(stamp)) > MAX_SKEW_SECONDS:
        raise WebhookRejected(401, "stale_timestamp",
                              "X-Chatwoot-Timestamp falta, no es válido o difiere más de 5 minutos")
    return stamp


def ignore_reason(payload: dict) -> str | None:
    """Why an authenticated event needs no processing (and no row), or None."""
    event = wp.event_name(payload)
    if event in wp.NOISE_EVENTS:
        return "evento sin efecto para CitaPlanner"
    if event not in wp.PROCESSED_EVENTS:
        return "evento desconocido"
    if wp.is_contact_noise(payload):
        return "solo cambió last_activity_at"
    return None


def accept(receiver: Receiver, payload: dict, delivery: Delivery, signed: bool) -> IntakeResult:
    """Store the event once per dedupe key and queue it; duplicates and noise are answered, not stored."""
    event = wp.event_name(payload)
    reason = ignore_reason(payload)
    if reason:
        return IntakeResult("ignored", event, reason=reason)
    key, event_id = dedupe_key(payload, delivery.body, delivery.timestamp), new_id()
    existing = _store_once({
        "id": event_id, "tenant_id": receiver.tenant_id, "event": event, "dedupe_key": key,
        "received_at": utcnow(), "raw_body": delivery.body.decode("utf-8"), "signed": signed,
        "status": WebhookStatus.PENDING, "attempts": 0, "delivery_id": (delivery.delivery_id or "")[:64] or None})
    if existing is not None:
        return IntakeResult("duplicate", event, existing)
    enqueue_committed("process_webhook_event", event_id)
    return IntakeResult("accepted", event, event_id)


_EXISTING = select(WebhookEvent.id).where(WebhookEvent.tenant_id == bindparam("tenant_id"),
                                          WebhookEvent.dedupe_key == bindparam("dedupe_key"))
_COLUMNS = ("id", "tenant_id", "event", "dedupe_key", "received_at", "raw_body", "signed", "status", "attempts",
            "delivery_id")


@dataclass(frozen=True)
class _Insert:
    """The INSERT of a webhook row as the driver takes it, compiled once per dialect."""

    sql: str
    order: tuple[str, ...] | None  # the parameters' order for positional drivers (SQLite), else named
    processors: dict[str, Callable]  # SQLAlchemy's conversions the driver needs (SQLite's datetimes, booleans)

    def parameters(self, row: dict) -> tuple | dict:
        values = {name: self.processors[name](value) if name in self.processors else value
                  for name, value in row.items()}
        return tuple(values[name] for name in self.order) if self.order else values


@functools.lru_cache(maxsize=16)
def _insert_for(dialect: Dialect) -> _Insert:
    table = WebhookEvent.__table__
    compiled = table.insert().compile(dialect=dialect, column_keys=list(_COLUMNS))
    processors = {name: processor for name in _COLUMNS
                  if (processor := table.c[name].type.bind_processor(dialect)) is not None}
    return _Insert(str(compiled), tuple(compiled.positiontup) if compiled.positional else None, processors)


def _store_once(row: dict, retry: bool = True) -> str | None:
    """Insert `row`, committed when this returns, or the id of the copy already stored under its dedupe key.

    One autocommitted statement on the intake engine (the one write below the entry points that commits by
    itself; on an in-memory SQLite the main engine's driver is in autocommit too), sent straight to the
    driver: SQLAlchemy's execution layer costs more than the INSERT itself here. The unique (tenant_id,
    dedupe_key) constraint settles concurrent copies: no check-then-insert race.
    """
    engine = db.engines.get(INTAKE_BIND, db.engine)
    insert, dbapi = _insert_for(engine.dialect), engine.dialect.loaded_dbapi
    parameters = insert.parameters(row)
    connection = engine.raw_connection()
    try:
        _cursor(connection).execute(insert.sql, parameters)  # autocommit: committed when it returns
        return None
    except dbapi.IntegrityError as exc:
        existing = _existing(engine, row)
        if existing is None:  # the constraint fired yet no copy is there: an error, not a duplicate
            raise DBAPIError.instance(insert.sql, parameters, exc, dbapi.Error) from exc
        return existing
    except dbapi.Error as exc:
        # The intake engine does not ping before each use: a pooled connection the server closed (a
        # restart) shows up here, is dropped from the pool, and the INSERT goes once more on a new one.
        if retry and engine.dialect.is_disconnect(exc, connection.dbapi_connection, None):
            connection.invalidate(exc)
            return _store_once(row, retry=False)
        raise DBAPIError.instance(insert.sql, parameters, exc, dbapi.Error) from exc
    finally:
        connection.close()


def _cursor(connection):
    """The pooled connection's own cursor, made once: a new psycopg cursor per delivery costs about as much
    client time as the INSERT. `info` lives as long as the driver's connection (cleared when invalidated)."""
    cursor = connection.info.get("webhook_intake_cursor")
    if cursor is None:
        cursor = connection.info["webhook_intake_cursor"] = connection.cursor()
    return cursor


def _existing(engine, row: dict) -> str | None:
    with engine.connect() as conn:
        return conn.scalar(_EXISTING, {"tenant_id": row["tenant_id"], "dedupe_key": row["dedupe_key"]})


def _digest(*parts) -> str:
    try:
        text = json.dumps(parts, sort_keys=True, default=str)
    except (ValueError, RecursionError):
        text = repr(parts)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]


def _identity(event: str, payload: dict, sent_at: str | None) -> str | None:
    """What makes this event the same event when Chatwoot sends it twice."""
    if event == "message_created":
        return wp.message_id(payload)
    if event == "message_updated" and wp.message_id(payload):
        return _receipt_identity(payload, sent_at)
    if event in wp.CONVERSATION_EVENTS and wp.conversation_id(payload) and payload.get("updated_at") is not None:
        return f"{wp.conversation_id(payload)}:{_digest(payload.get('updated_at'))}"
    if event == "contact_created":
        return wp.as_id(payload.get("id"))
    if event == "contact_updated" and wp.as_id(payload.get("id")):
        return f"{wp.as_id(payload.get('id'))}:{_digest(payload.get('changed_attributes'))}"
    return None


def _receipt_identity(payload: dict, sent_at: str | None) -> str:
    """message id + the status it reports. The status shows only when the message is the conversation's
    latest (or at the top level, on Chatwoot versions that add it); otherwise "delivered" and then "read"
    arrive as identical bodies, told apart by when Chatwoot signed them (a resent copy keeps its timestamp),
    and the worker asks Chatwoot for the status. Applying a receipt twice changes nothing: they only move forward.
    """
    message_id = wp.message_id(payload)
    status = wp.message_status(payload)
    if status is not None:
        return f"{message_id}:{status}:{_digest(payload.get('content_attributes'))}"
    return f"{message_id}:{_digest(payload.get('content_attributes'), payload.get('content'), sent_at)}"


def dedupe_key(payload: dict, body: bytes, sent_at: str | None = None) -> str:
    """event + the object's identity (and version); a hash of the body when the payload names none.

    `sent_at` is the delivery's signed timestamp, used only where the body cannot tell two events apart.
    """
    event = wp.event_name(payload)
    key = f"{event}:{_identity(event, payload, sent_at) or 'body:' + hashlib.sha256(body).hexdigest()}"
    return key if len(key) <= MAX_KEY_LENGTH else f"sha256:{hashlib.sha256(key.encode()).hexdigest()}"
