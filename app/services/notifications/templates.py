"""Notification texts: {{variable}} placeholders, Spanish defaults, per-tenant overrides, dates in Spanish."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    Client,
    NotificationTemplate,
    NotificationType,
    Tenant,
    utcnow,
)

LOCALE = "es_MX"
DATE_PATTERN = "EEEE d 'de' MMMM 'de' y"  # viernes 13 de noviembre de 2026
TIME_PATTERN = "HH:mm"
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
STANDARD_VARIABLES = ("clientName", "appointmentDate", "appointmentTime", "serviceName", "staffName", "salonName")
ACTIVE_STATUSES = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)

# Defaults use only variables every appointment has: an empty staff or service name must not block a reminder.
DEFAULT_TEMPLATES = {
    NotificationType.APPOINTMENT_CONFIRMATION: (
        "Hola {{clientName}}, tu cita en {{salonName}} quedó confirmada para el {{appointmentDate}} "
        "a las {{appointmentTime}}. ¡Te esperamos!"),
    NotificationType.APPOINTMENT_REMINDER: (
        "Hola {{clientName}}, te recordamos tu cita en {{salonName}} el {{appointmentDate}} "
        "a las {{appointmentTime}}. Si necesitas cambiarla, responde a este mensaje."),
    NotificationType.APPOINTMENT_CANCELLATION: (
        "Hola {{clientName}}, tu cita en {{salonName}} del {{appointmentDate}} a las {{appointmentTime}} "
        "fue cancelada. Si quieres agendar otra, responde a este mensaje."),
    NotificationType.APPOINTMENT_RESCHEDULED: (
        "Hola {{clientName}}, tu cita en {{salonName}} cambió al {{appointmentDate}} "
        "a las {{appointmentTime}}. ¡Te esperamos!"),
    NotificationType.MARKETING: "Hola {{clientName}}, tenemos novedades para ti en {{salonName}}. ¡Te esperamos!",
    NotificationType.TEST: "Hola {{clientName}}, este es un mensaje de prueba de {{salonName}}.",
}
SAMPLE = {"clientName": "María López", "serviceName": "Corte de cabello", "staffName": "Ana"}


class TemplateError(ValueError):
    """A text cannot be rendered: `missing` names the variables without a value."""

    def __init__(self, missing: list[str]):
        super().__init__("missing variable(s): " + ", ".join(missing))
        self.missing = missing


def placeholders(body: str) -> list[str]:
    """The variable names a text uses, in order of first appearance."""
    return list(dict.fromkeys(PLACEHOLDER.findall(body or "")))


def render(body: str, variables: dict[str, Any]) -> str:
    """Fill every {{variable}}; a variable missing or blank is an error (never "Hola ,")."""
    values = {k: str(v).strip() for k, v in variables.items() if v is not None}
    missing = [name for name in placeholders(body) if not values.get(name)]
    if missing:
        raise TemplateError(missing)
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], body).strip()


def default_body(notification_type: str) -> str:
    """The built-in Spanish text of a notification type."""
    return DEFAULT_TEMPLATES[NotificationType(notification_type)]


def template_body(tenant_id: str, notification_type: str) -> str:
    """The tenant's own text for the type, else the default."""
    own = db.session.scalar(select(NotificationTemplate.body).where(
        NotificationTemplate.tenant_id == tenant_id, NotificationTemplate.type == str(notification_type)))
    return own if own and own.strip() else default_body(notification_type)


def format_local_date(moment: datetime, tz_name: str) -> str:
    """'viernes 13 de noviembre de 2026' in the tenant's time zone."""
    return format_date(moment.astimezone(ZoneInfo(tz_name)).date(), DATE_PATTERN, locale=LOCALE)


def format_local_time(moment: datetime, tz_name: str) -> str:
    """'10:00' (24-hour clock) in the tenant's time zone."""
    return format_time(moment.astimezone(ZoneInfo(tz_name)).time(), TIME_PATTERN, locale=LOCALE)


def appointment_variables(appointment: Appointment, tz_name: str) -> dict[str, str]:
    """Date, time, service and staff of an appointment (blank names are left out)."""
    found = {"appointmentDate": format_local_date(appointment.starts_at, tz_name),
             "appointmentTime": format_local_time(appointment.starts_at, tz_name),
             "serviceName": appointment.service_name, "staffName": appointment.staff_name}
    return {k: v for k, v in found.items() if v}


def context_variables(tenant: Tenant, client: Client | None, appointment: Appointment | None = None) -> dict:
    """Variables known from the salon, the client and the appointment."""
    found = {"salonName": tenant.name, "clientName": client.full_name if client else ""}
    if appointment is not None:
        found |= appointment_variables(appointment, tenant.timezone)
    return {k: v for k, v in found.items() if v}


def next_appointment(client: Client) -> Appointment | None:
    """The client's next scheduled or confirmed appointment."""
    return db.session.scalar(select(Appointment).where(
        Appointment.client_id == client.id, Appointment.status.in_(ACTIVE_STATUSES),
        Appointment.starts_at >= utcnow()).order_by(Appointment.starts_at).limit(1))


def _sample_variables(tenant: Tenant) -> dict[str, str]:
    tz = ZoneInfo(tenant.timezone)
    tomorrow = datetime.combine(utcnow().astimezone(tz).date() + timedelta(days=1), time(10), tzinfo=tz)
    return {**SAMPLE, "salonName": tenant.name, "appointmentDate": format_local_date(tomorrow, tenant.timezone),
            "appointmentTime": format_local_time(tomorrow, tenant.timezone)}


def preview(tenant: Tenant, notification_type: str, client_id: str | None = None, body: str | None = None) -> str:
    """The rendered text for the dashboard: a real client's data (and next appointment) when given.

    Sample values fill in only what there is no real record for, so a preview fails exactly as a send would.
    """
    variables = _sample_variables(tenant)
    client = db.session.get(Client, client_id) if client_id else None
    if client is not None and client.tenant_id == tenant.id:
        appointment = next_appointment(client)
        if appointment is not None:
            variables = {k: v for k, v in variables.items() if k not in ("serviceName", "staffName")}
        variables |= context_variables(tenant, client, appointment)
    text = body if body is not None and body.strip() else template_body(tenant.id, notification_type)
    return render(text, variables)
