"""Creating and updating clients and appointments (CSV import and the booking-system API share this)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, AppointmentStatus, Client, Tenant
from app.phone import canonical_phone, phone_error
from app.services.contacts.matching import match_phone

TRUE_WORDS = {"1", "true", "yes", "si", "sí", "y", "x"}
FALSE_WORDS = {"", "0", "false", "no", "n"}
MAX_ID_LENGTH = 40


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


def _ref(value, field: str) -> str:
    """A CitaPlanner id as given (trimmed); "" when absent."""
    ref = _clean(value)
    if len(ref) > MAX_ID_LENGTH:
        raise RecordError(f"{field}: ids are at most {MAX_ID_LENGTH} characters", field)
    return ref


def client_by_ref(tenant_id: str, ref: str) -> Client | None:
    """The salon's client with this CitaPlanner id, else with this internal id; never another salon's."""
    found = db.session.scalar(select(Client).where(Client.tenant_id == tenant_id, Client.external_id == ref))
    return found or db.session.scalar(select(Client).where(Client.tenant_id == tenant_id, Client.id == ref))


def appointment_by_ref(tenant_id: str, ref: str) -> Appointment | None:
    """The salon's appointment with this CitaPlanner id, else with this internal id."""
    found = db.session.scalar(select(Appointment).where(Appointment.tenant_id == tenant_id,
                                                        Appointment.external_id == ref))
    return found or db.session.scalar(select(Appointment).where(Appointment.tenant_id == tenant_id,
                                                                Appointment.id == ref))


def phone_holder(tenant_id: str, phone_key: str | None) -> Client | None:
    """The salon's client on this canonical number (there is at most one)."""
    if not phone_key:
        return None
    return db.session.scalar(select(Client).where(Client.tenant_id == tenant_id, Client.phone_e164 == phone_key))


def _client_to_upsert(tenant: Tenant, ref: str, phone: str) -> Client | None:
    """The client a row names by id; a row without an id is the client holding its phone, if any.

    One phone, one client: a row naming its client and carrying a phone another client holds is refused.
    """
    holder = phone_holder(tenant.id, canonical_phone(phone, tenant.phone_region))
    if not ref:
        return holder
    client = client_by_ref(tenant.id, ref)
    if holder is not None and holder is not client:
        raise RecordError(f"phone {phone} already belongs to client {holder.ref}", "phone")
    return client


def upsert_client(tenant: Tenant, data: dict) -> Upserted:
    """Create or update a client by CitaPlanner id, else by canonical phone; validates every field."""
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
    ref = _ref(data.get("id"), "id")
    client = _client_to_upsert(tenant, ref, phone)
    created = client is None
    if created:
        client = Client(tenant_id=tenant.id, external_id=ref or None)
        db.session.add(client)
    elif ref and client.external_id is None:
        client.external_id = ref  # a client made here, now known to the booking system by this id
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
    client_id, phone = _ref(data.get("client_id"), "client_id"), _clean(data.get("client_phone"))
    if client_id:
        client = client_by_ref(tenant.id, client_id)
        if client is None:
            raise RecordError(f"client_id: no client {client_id} in this salon", "client_id")
        return client
    if not phone:
        raise RecordError("client_id or client_phone is required", "client_id")
    client = phone_holder(tenant.id, canonical_phone(phone, tenant.phone_region))
    if client is None:
        client = match_phone(phone, tenant.id, tenant.phone_region).client
    if client is None:
        raise RecordError(f"client_phone: no single client with phone {phone}", "client_phone")
    return client


def upsert_appointment(tenant: Tenant, data: dict) -> Upserted:
    """Create or update an appointment by its CitaPlanner id."""
    appt_id = _ref(data.get("id"), "id")
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
    appt = appointment_by_ref(tenant.id, appt_id)
    created = appt is None
    if created:
        appt = Appointment(tenant_id=tenant.id, external_id=appt_id)
        db.session.add(appt)
    appt.client_id, appt.starts_at, appt.ends_at, appt.status = client.id, starts_at, ends_at, status
    appt.service_name = _clean(data.get("service_name"))
    appt.staff_name = _clean(data.get("staff_name"))
    db.session.flush()
    return Upserted(appt, created)
