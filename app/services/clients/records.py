"""Creating and updating clients and appointments (CSV import and the booking-system API share this)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, AppointmentStatus, Client, Tenant
from app.phone import phone_error
from app.services.contacts.matching import match_phone

TRUE_WORDS = {"1", "true", "yes", "si", "sí", "y", "x"}
FALSE_WORDS = {"", "0", "false", "no", "n"}


class RecordError(ValueError):
    """A record cannot be stored; str() says why, field says which field when known."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Upserted:
    obj: object
    created: bool


def parse_bool(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise RecordError(f"{field}: expected yes/no, got {value!r}", field)


def _clean(value) -> str:
    return str(value or "").strip()


def _find_client_for_upsert(tenant: Tenant, client_id: str, phone: str) -> Client | None:
    if client_id:
        client = db.session.get(Client, client_id)
        if client is not None and client.tenant_id != tenant.id:
            raise RecordError(f"id {client_id} belongs to another salon", "id")
        return client
    return db.session.scalar(select(Client).where(Client.tenant_id == tenant.id, Client.phone == phone))


def upsert_client(tenant: Tenant, data: dict) -> Upserted:
    """Create or update a client by CitaPlanner id, else by exact phone; validates every field."""
    first_name, phone = _clean(data.get("first_name")), _clean(data.get("phone"))
    if not first_name:
        raise RecordError("first_name is required", "first_name")
    if not phone:
        raise RecordError("phone is required", "phone")
    problem = phone_error(phone, tenant.phone_region)
    if problem:
        raise RecordError(f"phone: {problem}", "phone")
    email = _clean(data.get("email")).lower() or None
    if email and ("@" not in email or " " in email):
        raise RecordError(f"email: not an email address: {email}", "email")
    client_id = _clean(data.get("id"))
    client = _find_client_for_upsert(tenant, client_id, phone)
    clash = db.session.scalar(select(Client.id).where(
        Client.tenant_id == tenant.id, Client.phone == phone, Client.id != (client.id if client else "")))
    if clash:
        raise RecordError(f"phone {phone} already belongs to client {clash}", "phone")
    created = client is None
    if created:
        client = Client(tenant_id=tenant.id, **({"id": client_id} if client_id else {}))
        db.session.add(client)
    client.first_name, client.last_name = first_name, _clean(data.get("last_name"))
    client.phone, client.email = phone, email
    if data.get("marketing_opt_out") is not None:
        client.marketing_opt_out = parse_bool(data.get("marketing_opt_out"), "marketing_opt_out")
    db.session.flush()
    return Upserted(client, created)


def parse_local_datetime(value, tz_name: str, field: str) -> datetime:
    """ISO 8601; a value without an offset is the tenant's local time."""
    text = _clean(value)
    if not text:
        raise RecordError(f"{field} is required", field)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RecordError(f"{field}: not an ISO 8601 date and time: {text!r}", field) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz_name))
    return parsed


def _client_for_appointment(tenant: Tenant, data: dict) -> Client:
    client_id, phone = _clean(data.get("client_id")), _clean(data.get("client_phone"))
    if client_id:
        client = db.session.get(Client, client_id)
        if client is None or client.tenant_id != tenant.id:
            raise RecordError(f"client_id: no client {client_id} in this salon", "client_id")
        return client
    if not phone:
        raise RecordError("client_id or client_phone is required", "client_id")
    client = db.session.scalar(select(Client).where(Client.tenant_id == tenant.id, Client.phone == phone))
    if client is None:
        client = match_phone(phone, tenant.id, tenant.phone_region).client
    if client is None:
        raise RecordError(f"client_phone: no single client with phone {phone}", "client_phone")
    return client


def upsert_appointment(tenant: Tenant, data: dict) -> Upserted:
    """Create or update an appointment by its CitaPlanner id."""
    appt_id = _clean(data.get("id"))
    if not appt_id:
        raise RecordError("id is required", "id")
    client = _client_for_appointment(tenant, data)
    starts_at = parse_local_datetime(data.get("starts_at"), tenant.timezone, "starts_at")
    ends_at = parse_local_datetime(data["ends_at"], tenant.timezone, "ends_at") if _clean(
        data.get("ends_at")) else None
    if ends_at and ends_at <= starts_at:
        raise RecordError("ends_at must be after starts_at", "ends_at")
    status = _clean(data.get("status")).lower() or AppointmentStatus.SCHEDULED
    if status not in set(AppointmentStatus):
        raise RecordError(f"status must be one of {', '.join(AppointmentStatus)}", "status")
    appt = db.session.get(Appointment, appt_id)
    if appt is not None and appt.tenant_id != tenant.id:
        raise RecordError(f"id {appt_id} belongs to another salon", "id")
    created = appt is None
    if created:
        appt = Appointment(id=appt_id, tenant_id=tenant.id)
        db.session.add(appt)
    appt.client_id, appt.starts_at, appt.ends_at, appt.status = client.id, starts_at, ends_at, status
    appt.service_name = _clean(data.get("service_name"))
    appt.staff_name = _clean(data.get("staff_name"))
    db.session.flush()
    return Upserted(appt, created)
