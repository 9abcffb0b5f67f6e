"""Reply to confirm: after a confirmation request or reminder, "1"/"sí" confirms and "2"/"no" asks to cancel.

A request is pending from the moment the notification was sent until the appointment it names (else the
client's next scheduled one) starts; the latest one decides. Nothing is ever cancelled by itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, AppointmentStatus, Client, Notification, NotificationType

CONFIRM = frozenset({"1", "si", "confirmo", "ok"})
CANCEL = frozenset({"2", "no", "cancelar", "cancelo"})
REQUESTS = (NotificationType.APPOINTMENT_CONFIRMATION, NotificationType.APPOINTMENT_REMINDER)
# Statuses a customer's answer may still move (she may change her mind before the appointment).
ANSWERABLE = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED, AppointmentStatus.CANCEL_REQUESTED)


def wanted_status(words: str) -> AppointmentStatus | None:
    """The status a normalised answer asks for, or None when it is not an answer."""
    if words in CONFIRM:
        return AppointmentStatus.CONFIRMED
    if words in CANCEL:
        return AppointmentStatus.CANCEL_REQUESTED
    return None


def pending_appointment(client: Client, at: datetime) -> Appointment | None:
    """The appointment the client's latest confirmation request or reminder (sent before `at`) asks about."""
    request = db.session.scalar(select(Notification).where(
        Notification.tenant_id == client.tenant_id, Notification.client_id == client.id,
        Notification.type.in_(REQUESTS), Notification.sent_at.is_not(None), Notification.sent_at <= at,
    ).order_by(Notification.sent_at.desc(), Notification.id.desc()).limit(1))
    if request is None:
        return None
    appointment = db.session.get(Appointment, request.appointment_id) if request.appointment_id else None
    if appointment is None:
        appointment = db.session.scalar(select(Appointment).where(
            Appointment.client_id == client.id, Appointment.status == AppointmentStatus.SCHEDULED,
            Appointment.starts_at > request.sent_at).order_by(Appointment.starts_at).limit(1))
    if appointment is None or appointment.starts_at <= at or appointment.status not in ANSWERABLE:
        return None
    return appointment


TEXT_FOR = {AppointmentStatus.CONFIRMED: "confirm_text", AppointmentStatus.CANCEL_REQUESTED: "cancel_text"}
