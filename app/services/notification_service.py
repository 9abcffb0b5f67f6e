"""The seed's notificationService in Python: validate, render, store, and deliver through Chatwoot.

`send_notification` is the public entry point of INTERFACES §6 and commits like one (the seed's call
stores the notification). Code that already runs inside a transaction (the booking API, reminders,
the dashboard) calls `create_notification`, which only flushes; delivery is enqueued once that
transaction commits.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import closing
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import (
    Appointment,
    Client,
    Notification,
    NotificationChannel,
    NotificationStatus,
    NotificationType,
    Tenant,
    new_id,
    utcnow,
)
from app.queue import enqueue, enqueue_after_commit
from app.services.automations.hours import is_open, next_opening
from app.services.automations.settings import saved_opening_hours
from app.services.clients.records import appointment_by_ref, client_by_ref
from app.services.notifications.attempts import ENDS_ATTEMPT, claim, record_done, record_error
from app.services.notifications.delivery import delivery_steps, notification_settings, skip_reason
from app.services.notifications.schedule import outside_quiet_hours
from app.services.notifications.templates import TemplateError, context_variables, render, template_body

KEY_LENGTH = 200
QUIET_TYPES = (NotificationType.APPOINTMENT_REMINDER, NotificationType.MARKETING)


class NotificationError(ValueError):
    """A notification cannot be created as asked; `field` names the offending input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotificationNotFound(NotificationError):
    """No such notification in this tenant."""


def _enum(kind, value, field: str):
    try:
        return kind(str(value or "").strip().upper())
    except ValueError:
        raise NotificationError(f"{field} must be one of {', '.join(kind)}", field) from None


def _recipient(recipient_id: str, tenant_id: str | None) -> Client:
    """The client by CitaPlanner id or internal id; CitaPlanner ids are per salon, so without a tenant
    an id that several salons use is refused rather than guessed."""
    ref = str(recipient_id or "").strip()
    if not ref:
        raise NotificationError("recipient_id is required (the client's id)", "recipient_id")
    if tenant_id is not None:
        client = client_by_ref(tenant_id, ref)
        if client is None:
            raise NotificationError(f"no client {ref} in this salon", "recipient_id")
        return client
    found = db.session.scalars(select(Client).where(or_(Client.external_id == ref, Client.id == ref))).all()
    if len({c.tenant_id for c in found}) > 1:
        raise NotificationError(f"client id {ref} exists in several salons: pass tenant_id= too", "recipient_id")
    if not found:
        raise NotificationError(f"no client {ref}", "recipient_id")
    return next((c for c in found if c.external_id == ref), found[0])


def _appointment(appointment_id: str | None, client: Client) -> Appointment | None:
    if not appointment_id:
        return None
    appointment = appointment_by_ref(client.tenant_id, str(appointment_id).strip())
    if appointment is None or appointment.client_id != client.id:
        raise NotificationError(f"no appointment {appointment_id} for this client", "appointment_id")
    return appointment


def _variables(variables: dict[str, Any] | None) -> dict[str, str]:
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise NotificationError("variables must be an object of names to values", "variables")
    bad = [k for k, v in variables.items() if isinstance(v, dict | list | tuple | set)]
    if bad:
        raise NotificationError(f"variables must be text or numbers: {', '.join(map(str, bad))}", "variables")
    return {str(k): str(v) for k, v in variables.items() if v is not None}


def _existing(tenant_id: str, key: str | None) -> Notification | None:
    if not key:
        return None
    return db.session.scalar(select(Notification).where(Notification.tenant_id == tenant_id,
                                                        Notification.idempotency_key == key))


def _key(idempotency_key: str | None) -> str | None:
    key = (idempotency_key or "").strip()
    if len(key) > KEY_LENGTH:
        raise NotificationError(f"the idempotency key is longer than {KEY_LENGTH} characters", "idempotency_key")
    return key or None


def _request_hash(*inputs) -> str:
    """What a request asked for, so a reused Idempotency-Key with a different request is told apart."""
    text = json.dumps(inputs, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _same_request(existing: Notification, request_hash: str) -> Notification:
    """The stored answer for a repeated key, unless the key now comes with a different request."""
    if existing.request_hash not in (None, request_hash):  # None: stored before requests were hashed
        raise NotificationError("this Idempotency-Key was already used with a different request; "
                                "use a new key for a new notification", "idempotency_key")
    return existing


def _render(message: str | None, tenant_id: str, notification_type: str, values: dict[str, str]) -> str:
    if message is not None and not isinstance(message, str):
        raise NotificationError("message must be text", "message")
    body = message if message and message.strip() else template_body(tenant_id, notification_type)
    try:
        text = render(body, values)
    except TemplateError as exc:
        raise NotificationError(str(exc), "variables") from exc
    if not text:
        raise NotificationError("the message is empty", "message")
    return text


def _outside_quiet_hours(wanted: datetime, tenant: Tenant, appointment: Appointment | None) -> datetime:
    """`wanted`, or when quiet hours end: the configured window until the salon sets its opening hours,
    then the hours it is closed (INTERFACES §8).

    A reminder that closed hours would push to its own appointment falls back to the configured window:
    with Sundays closed, Monday's 10:00 client still gets Sunday's reminder, just not at night.
    """
    configured = outside_quiet_hours(wanted, tenant.timezone, notification_settings(tenant.id))
    hours = saved_opening_hours(tenant.id)
    if hours is None:
        return configured
    schedule, closed_dates = hours
    if is_open(wanted, tenant.timezone, schedule, closed_dates):
        return wanted
    opening = next_opening(wanted, tenant.timezone, schedule, closed_dates) or configured
    if appointment is not None and opening >= appointment.starts_at:
        return configured
    return opening


def _schedule(row: Notification, tenant: Tenant, appointment: Appointment | None, at: datetime | None) -> None:
    """Due now or at `at`; reminders and marketing wait for the end of the tenant's quiet hours."""
    now = utcnow()
    wanted = max(at or now, now)
    due = _outside_quiet_hours(wanted, tenant, appointment) if row.type in QUIET_TYPES else wanted
    if appointment is not None and row.type == NotificationType.APPOINTMENT_REMINDER and due >= appointment.starts_at:
        row.status, row.scheduled_for = NotificationStatus.SKIPPED, due
        row.reason = "quiet hours last until the appointment starts" if due > wanted \
            else "the appointment has already started"
        return
    row.next_attempt_at = due
    row.scheduled_for = due if due > now else None


def _insert(row: Notification) -> tuple[Notification, bool]:
    """(stored row, created). With an idempotency key a concurrent request that stored it first wins.

    INSERT … ON CONFLICT DO NOTHING rather than catching an IntegrityError: no exception, so the caller's
    transaction stays usable, and no SAVEPOINT (on SQLite a first-statement savepoint commits on release).
    """
    if not row.idempotency_key:
        db.session.add(row)
        db.session.flush()
        return row, True
    row.id, row.created_at = new_id(), utcnow()
    row.updated_at = row.created_at
    table = Notification.__table__
    dialect_insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(table).values({c.name: getattr(row, c.name) for c in table.columns})
    statement = statement.on_conflict_do_nothing(index_elements=["tenant_id", "idempotency_key"])
    if db.session.execute(statement.returning(table.c.id)).scalar() is not None:  # rowcount is -1 on psycopg
        return db.session.get(Notification, row.id), True
    return _existing(row.tenant_id, row.idempotency_key), False


def _enqueue(notification: Notification) -> None:
    enqueue_after_commit("deliver_notification", notification.id, eta=notification.next_attempt_at)


class NotificationService:
    """Stateless; safe to share between threads (every call works in the caller's app context)."""

    def send_notification(self, type, channel, recipient_id: str, message: str | None = None,
                          variables: dict[str, Any] | None = None, *, idempotency_key: str | None = None,
                          appointment_id: str | None = None, tenant_id: str | None = None, sync: bool = False,
                          scheduled_for: datetime | None = None) -> Notification:
        """Validate, render and store a notification (committed), then enqueue it, or deliver it now (sync)."""
        notification = self.create_notification(
            type, channel, recipient_id, message, variables, idempotency_key=idempotency_key,
            appointment_id=appointment_id, tenant_id=tenant_id, scheduled_for=scheduled_for, enqueue=not sync)
        db.session.commit()
        if not sync:
            return notification
        delivered = self.deliver(notification.id)
        if delivered.status == NotificationStatus.PENDING and delivered.attempts == 0:
            # not due yet (quiet hours): the queue takes it from here
            enqueue("deliver_notification", delivered.id, eta=delivered.next_attempt_at)
        return delivered

    def create_notification(self, type, channel, recipient_id: str, message: str | None = None,
                            variables: dict[str, Any] | None = None, *, idempotency_key: str | None = None,
                            appointment_id: str | None = None, tenant_id: str | None = None,
                            scheduled_for: datetime | None = None, skip: str | None = None,
                            enqueue: bool = True) -> Notification:
        """Like send_notification inside the caller's transaction (flush only); `skip` stores it as skipped."""
        notification_type = _enum(NotificationType, type, "type")
        notification_channel = _enum(NotificationChannel, channel, "channel")
        client = _recipient(recipient_id, tenant_id)
        key = _key(idempotency_key)
        request_hash = _request_hash(notification_type, notification_channel, client.id, message, variables,
                                     appointment_id)
        existing = _existing(client.tenant_id, key)
        if existing is not None:
            return _same_request(existing, request_hash)
        appointment = _appointment(appointment_id, client)
        tenant = db.session.get(Tenant, client.tenant_id)
        values = {**context_variables(tenant, client, appointment), **_variables(variables)}
        row = Notification(tenant_id=tenant.id, type=notification_type, channel=notification_channel,
                           client_id=client.id, appointment_id=appointment.id if appointment else None,
                           message=_render(message, tenant.id, notification_type, values), variables=values,
                           idempotency_key=key, request_hash=request_hash if key else None,
                           status=NotificationStatus.PENDING, attempts=0)
        reason = skip or skip_reason(tenant.id, notification_type, notification_channel, client)
        if reason:
            row.status, row.reason, row.scheduled_for = NotificationStatus.SKIPPED, reason, scheduled_for
        else:
            _schedule(row, tenant, appointment, scheduled_for)
        stored, created = _insert(row)
        if not created:  # a concurrent request with the same key stored it first
            _same_request(stored, request_hash)
        if enqueue and created and stored.status == NotificationStatus.PENDING:
            _enqueue(stored)
        return stored

    def retry(self, notification_id: str, tenant_id: str) -> Notification:
        """Put a failed notification back in the queue (flush only; delivery is enqueued on commit)."""
        notification = db.session.get(Notification, notification_id)
        if notification is None or notification.tenant_id != tenant_id:
            raise NotificationNotFound(f"no notification {notification_id} in this salon", "id")
        if notification.status != NotificationStatus.FAILED:
            raise NotificationError("only failed notifications can be retried", "status")
        notification.status, notification.reason = NotificationStatus.PENDING, None
        notification.attempts, notification.next_attempt_at = 0, utcnow()
        db.session.flush()
        _enqueue(notification)
        return notification

    def deliver(self, notification_id: str) -> Notification | None:
        """Deliver one notification now if it is due and nobody else is on it (what the worker job runs).

        Claim -> commit -> each delivery step calls Chatwoot with no transaction open and the
        step's write is committed -> the outcome is one short write, committed.
        """
        claimed = claim(notification_id)
        db.session.commit()  # the lease is visible before we call out
        if claimed is None:
            return db.session.get(Notification, notification_id)
        row, uncertain = claimed
        try:
            with closing(delivery_steps(row, uncertain)) as steps:
                for _step in steps:
                    db.session.commit()
        except ENDS_ATTEMPT as exc:
            row = record_error(notification_id, exc, uncertain)
        else:
            record_done(row)
        db.session.commit()
        return row


notification_service = NotificationService()
