"""The booking-system API (/api/v1): a per-tenant API key as Bearer token, JSON in and out.

Errors are JSON: {"error": "...", "fields": {"field": "message"}} for invalid input (422), 400 for a
body that is not a JSON object (or nested too deep, or with invalid Unicode), 401 for a missing, unknown
or revoked key, 404 for anything that is not the key's tenant's, 409 when concurrent requests kept
clashing on the same id or phone, 503 when the database stayed busy. CitaPlanner ids are per tenant:
another tenant's use of an id is invisible here.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import Blueprint, g, jsonify, request, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from app import jsonbody
from app.extensions import csrf, db
from app.models import Appointment, Client, Notification, Tenant
from app.services.clients.records import RecordError, appointment_by_ref, upsert_client
from app.services.notification_service import NotificationError, notification_service
from app.services.notifications.reminders import save_appointment
from app.services.settings.api_keys import authenticate
from app.transactions import unit_of_work

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

T = TypeVar("T")
ATTEMPTS = 5


class BadBody(Exception):
    """The request body is not a JSON object; str() says why."""


class Clash(Exception):
    """Concurrent requests kept writing the same id or phone first."""


class Busy(Exception):
    """The database stayed locked."""


def _error(status: int, message: str, fields: dict[str, str] | None = None):
    body = {"error": message, **({"fields": fields} if fields else {})}
    return jsonify(body), status


@bp.errorhandler(BadBody)
def _bad_body(exc):
    return _error(400, str(exc))


@bp.errorhandler(HTTPException)
def _refused_by_werkzeug(exc: HTTPException):
    """Werkzeug's own refusals (a body cut short before its Content-Length, say) are JSON too."""
    return _error(exc.code or 400, exc.description or exc.name)


@bp.errorhandler(Clash)
def _clash(_exc):
    return _error(409, "another request was saving the same id or phone at the same time; send it again")


@bp.errorhandler(Busy)
def _busy(_exc):
    return _error(503, "the database is busy; send the request again")


@bp.before_request
def _authenticate():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    key = authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if key is None:
        response, status = _error(401, "missing, unknown or revoked API key (Authorization: Bearer <key>)")
        response.headers["WWW-Authenticate"] = 'Bearer realm="citaplanner"'
        return response, status
    g.api_tenant = db.session.get(Tenant, key.tenant_id)
    return None


def _body() -> dict:
    if not request.is_json:
        raise BadBody("the body must be a JSON object (Content-Type: application/json)")
    try:
        data = jsonbody.loads(request.get_data(cache=True))
    except jsonbody.JSONBodyError as exc:
        raise BadBody(f"the body is not acceptable JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadBody("the body must be a JSON object (Content-Type: application/json)")
    return data


def _committed(save: Callable[[], T]) -> T:
    """Run `save` and commit. A concurrent request that stored the same id or phone first (a unique
    constraint fires) or held the SQLite write lock makes this one run again, when it finds that row and
    updates it; if that keeps happening the answer is 409 (clash) or 503 (busy), never a 500."""
    clash = False
    for attempt in range(ATTEMPTS):
        with unit_of_work(IntegrityError) as work:  # a RecordError or NotificationError is rolled back and raised
            result = save()
        if work.ok:
            return result
        clash = isinstance(work.error, IntegrityError)
        time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))  # let the other writer finish
    raise Clash() if clash else Busy()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _invalid(exc: RecordError | NotificationError):
    return _error(422, str(exc), {exc.field or "body": str(exc)})


def client_json(client: Client) -> dict:
    """A client as the API shows it."""
    return {"id": client.ref, "first_name": client.first_name, "last_name": client.last_name, "phone": client.phone,
            "phone_e164": client.phone_e164, "email": client.email, "marketing_opt_out": client.marketing_opt_out,
            "chatwoot_contact_id": client.chatwoot_contact_id}


def appointment_json(appointment: Appointment) -> dict:
    """An appointment as the API shows it (times in UTC, ISO 8601)."""
    return {"id": appointment.ref, "client_id": appointment.client.ref, "starts_at": _iso(appointment.starts_at),
            "ends_at": _iso(appointment.ends_at), "service_name": appointment.service_name,
            "staff_name": appointment.staff_name, "status": appointment.status}


def notification_json(n: Notification) -> dict:
    """A notification and its delivery state as the API shows it."""
    appointment = db.session.get(Appointment, n.appointment_id) if n.appointment_id else None
    return {"id": n.id, "type": n.type, "channel": n.channel, "client_id": n.client.ref if n.client else None,
            "appointment_id": appointment.ref if appointment else None, "status": n.status, "reason": n.reason,
            "message": n.message,
            "attempts": n.attempts, "last_error": n.last_error, "scheduled_for": _iso(n.scheduled_for),
            "next_attempt_at": _iso(n.next_attempt_at), "sent_at": _iso(n.sent_at),
            "delivered_at": _iso(n.delivered_at), "read_at": _iso(n.read_at), "created_at": _iso(n.created_at),
            "chatwoot": {"contact_id": n.chatwoot_contact_id, "conversation_id": n.chatwoot_conversation_id,
                         "message_id": n.chatwoot_message_id}}


@bp.put("/clients/<client_id>")
def put_client(client_id: str):
    """Create or update a client by CitaPlanner id."""
    data = {**_body(), "id": client_id}
    try:
        result = _committed(lambda: upsert_client(g.api_tenant, data))
    except RecordError as exc:
        return _invalid(exc)
    return jsonify(client_json(result.obj)), 201 if result.created else 200


@bp.put("/appointments/<appointment_id>")
def put_appointment(appointment_id: str):
    """Create or update an appointment by CitaPlanner id; confirmations, notices and reminders follow."""
    data = {**_body(), "id": appointment_id}
    try:
        result, notifications = _committed(lambda: save_appointment(g.api_tenant, data))
    except RecordError as exc:
        return _invalid(exc)
    body = {**appointment_json(result.obj),
            "notifications": [{"id": n.id, "type": n.type, "status": n.status} for n in notifications]}
    return jsonify(body), 201 if result.created else 200


@bp.get("/appointments/<appointment_id>")
def get_appointment(appointment_id: str):
    """An appointment and its status, by CitaPlanner id."""
    with unit_of_work():  # stores the key's last use; a busy database loses only that, never the answer
        appointment = appointment_by_ref(g.api_tenant.id, appointment_id)
        body = appointment_json(appointment) if appointment else None
    return jsonify(body) if body else _error(404, "not found")


@bp.post("/notifications")
def post_notification():
    """Request a notification; a repeated Idempotency-Key returns the first one instead of sending again."""
    data, tenant_id = _body(), g.api_tenant.id
    try:
        notification = _committed(lambda: notification_service.send_notification(
            type=data.get("type"), channel=data.get("channel") or "CHATWOOT",
            recipient_id=data.get("recipient_id") or data.get("recipientId"), message=data.get("message"),
            variables=data.get("variables"), appointment_id=data.get("appointment_id") or data.get("appointmentId"),
            idempotency_key=request.headers.get("Idempotency-Key"), tenant_id=tenant_id))
    except NotificationError as exc:
        return _error(422, str(exc), {exc.field or "body": str(exc)})
    location = url_for("api_v1.get_notification", notification_id=notification.id)
    return jsonify(notification_json(notification)), 202, {"Location": location}


@bp.get("/notifications/<notification_id>")
def get_notification(notification_id: str):
    """A notification's delivery status."""
    with unit_of_work():  # stores the key's last use; a busy database loses only that, never the answer
        notification = db.session.get(Notification, notification_id)
        body = notification_json(notification) if notification and notification.tenant_id == g.api_tenant.id \
            else None
    return jsonify(body) if body else _error(404, "not found")
