"""The booking-system API (/api/v1): a per-tenant API key as Bearer token, JSON in and out.

Errors are JSON: {"error": "...", "fields": {"field": "message"}} for invalid input (422), 400 for a
body that is not a JSON object, 401 for a missing, unknown or revoked key, 404 for anything that is
not the key's tenant's.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g, jsonify, request, url_for

from app.extensions import csrf, db
from app.models import Appointment, Client, Notification, Tenant
from app.services.clients.records import RecordError, upsert_client
from app.services.notification_service import NotificationError, notification_service
from app.services.notifications.reminders import save_appointment
from app.services.settings.api_keys import authenticate

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


class BadBody(Exception):
    """The request body is not a JSON object."""


def _error(status: int, message: str, fields: dict[str, str] | None = None):
    body = {"error": message, **({"fields": fields} if fields else {})}
    return jsonify(body), status


@bp.errorhandler(BadBody)
def _bad_body(_exc):
    return _error(400, "the body must be a JSON object (Content-Type: application/json)")


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
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadBody()
    return data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _invalid(exc: RecordError | NotificationError):
    if getattr(exc, "field", None) == "id":  # the id in the URL belongs to another tenant
        return _error(404, "not found")
    return _error(422, str(exc), {exc.field or "body": str(exc)})


def client_json(client: Client) -> dict:
    """A client as the API shows it."""
    return {"id": client.id, "first_name": client.first_name, "last_name": client.last_name, "phone": client.phone,
            "phone_e164": client.phone_e164, "email": client.email, "marketing_opt_out": client.marketing_opt_out,
            "chatwoot_contact_id": client.chatwoot_contact_id}


def appointment_json(appointment: Appointment) -> dict:
    """An appointment as the API shows it (times in UTC, ISO 8601)."""
    return {"id": appointment.id, "client_id": appointment.client_id, "starts_at": _iso(appointment.starts_at),
            "ends_at": _iso(appointment.ends_at), "service_name": appointment.service_name,
            "staff_name": appointment.staff_name, "status": appointment.status}


def notification_json(n: Notification) -> dict:
    """A notification and its delivery state as the API shows it."""
    return {"id": n.id, "type": n.type, "channel": n.channel, "client_id": n.client_id,
            "appointment_id": n.appointment_id, "status": n.status, "reason": n.reason, "message": n.message,
            "attempts": n.attempts, "last_error": n.last_error, "scheduled_for": _iso(n.scheduled_for),
            "next_attempt_at": _iso(n.next_attempt_at), "sent_at": _iso(n.sent_at),
            "delivered_at": _iso(n.delivered_at), "read_at": _iso(n.read_at), "created_at": _iso(n.created_at),
            "chatwoot": {"contact_id": n.chatwoot_contact_id, "conversation_id": n.chatwoot_conversation_id,
                         "message_id": n.chatwoot_message_id}}


@bp.put("/clients/<client_id>")
def put_client(client_id: str):
    """Create or update a client by CitaPlanner id."""
    try:
        result = upsert_client(g.api_tenant, {**_body(), "id": client_id})
    except RecordError as exc:
        db.session.rollback()
        return _invalid(exc)
    db.session.commit()
    return jsonify(client_json(result.obj)), 201 if result.created else 200


@bp.put("/appointments/<appointment_id>")
def put_appointment(appointment_id: str):
    """Create or update an appointment by CitaPlanner id; confirmations, notices and reminders follow."""
    try:
        result, notifications = save_appointment(g.api_tenant, {**_body(), "id": appointment_id})
    except RecordError as exc:
        db.session.rollback()
        return _invalid(exc)
    db.session.commit()
    body = {**appointment_json(result.obj),
            "notifications": [{"id": n.id, "type": n.type, "status": n.status} for n in notifications]}
    return jsonify(body), 201 if result.created else 200


@bp.post("/notifications")
def post_notification():
    """Request a notification; a repeated Idempotency-Key returns the first one instead of sending again."""
    data = _body()
    try:
        notification = notification_service.send_notification(
            type=data.get("type"), channel=data.get("channel") or "CHATWOOT",
            recipient_id=data.get("recipient_id") or data.get("recipientId"), message=data.get("message"),
            variables=data.get("variables"), appointment_id=data.get("appointment_id") or data.get("appointmentId"),
            idempotency_key=request.headers.get("Idempotency-Key"), tenant_id=g.api_tenant.id)
    except NotificationError as exc:
        db.session.rollback()
        return _error(422, str(exc), {exc.field or "body": str(exc)})
    location = url_for("api_v1.get_notification", notification_id=notification.id)
    return jsonify(notification_json(notification)), 202, {"Location": location}


@bp.get("/notifications/<notification_id>")
def get_notification(notification_id: str):
    """A notification's delivery status."""
    notification = db.session.get(Notification, notification_id)
    body = notification_json(notification) if notification and notification.tenant_id == g.api_tenant.id else None
    db.session.commit()  # the key's last use
    return jsonify(body) if body else _error(404, "not found")
