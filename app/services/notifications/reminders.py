"""Appointment notices and reminders.

The booking API calls `on_appointment_saved` after each upsert: a confirmation on booking, a notice on
cancellation or rescheduling (each switchable per tenant), reminders armed for every offset and
withdrawn or re-armed when the appointment changes. A periodic sweep arms reminders for appointments
that arrived another way (CSV import) or were booked before the tenant turned reminders on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from app.chatwoot.settings import resolve_settings
from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    Notification,
    NotificationChannel,
    NotificationSettings,
    NotificationStatus,
    NotificationType,
    Tenant,
    utcnow,
)
from app.services.audit import record
from app.services.clients.records import Upserted, appointment_by_ref, upsert_appointment
from app.services.notification_service import NotificationError, notification_service
from app.services.notifications.schedule import is_reminder_for, parse_offsets, reminder_due, reminder_key

ACTIVE = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)
SWEEP_GRACE = timedelta(minutes=5)  # the sweep runs every minute; a reminder that late is still worth sending
ARM_AHEAD = timedelta(hours=1)
LATE = "the reminder time had already passed when the appointment was booked"
NOTICE_SWITCH = {NotificationType.APPOINTMENT_CONFIRMATION: "send_confirmations",
                 NotificationType.APPOINTMENT_CANCELLATION: "send_cancellations",
                 NotificationType.APPOINTMENT_RESCHEDULED: "send_reschedules"}


@dataclass
class ArmReport:
    armed: int = 0
    skipped: int = 0
    not_created: int = 0


def _settings(tenant_id: str) -> NotificationSettings:
    return db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant_id))


def _create(appointment: Appointment, notification_type: str, key: str, *, at: datetime | None = None,
            skip: str | None = None, audited: bool = False) -> Notification | None:
    """A notification about the appointment; a text that cannot be rendered is logged, never sent."""
    try:
        return notification_service.create_notification(
            notification_type, NotificationChannel.CHATWOOT, appointment.client_id, appointment_id=appointment.id,
            tenant_id=appointment.tenant_id, idempotency_key=key, scheduled_for=at, skip=skip)
    except NotificationError as exc:
        current_app.logger.warning("%s for appointment %s not created: %s", notification_type, appointment.id, exc)
        if audited:
            record("notification.not_created", tenant_id=appointment.tenant_id, by="notifications",
                   target_type="appointment", target_id=appointment.id, type=str(notification_type), reason=str(exc))
        return None


def _notice_type(appointment: Appointment, previous_starts_at: datetime | None,
                 previous_status: str | None) -> NotificationType | None:
    active, was_active = appointment.status in ACTIVE, previous_status in ACTIVE
    if active and not was_active:
        return NotificationType.APPOINTMENT_CONFIRMATION
    if active and previous_starts_at is not None and previous_starts_at != appointment.starts_at:
        return NotificationType.APPOINTMENT_RESCHEDULED
    if appointment.status == AppointmentStatus.CANCELLED and was_active:
        return NotificationType.APPOINTMENT_CANCELLATION
    return None


def on_appointment_saved(appointment: Appointment, previous_starts_at: datetime | None,
                         previous_status: str | None) -> list[Notification]:
    """Notices and reminders after an upsert (previous values None for a new appointment); flush only."""
    now, settings = utcnow(), _settings(appointment.tenant_id)
    made: list[Notification | None] = []
    if appointment.status not in ACTIVE:
        withdraw_reminders(appointment, f"the appointment is {appointment.status}")
    elif previous_starts_at is not None and previous_starts_at != appointment.starts_at:
        withdraw_reminders(appointment, "the appointment was rescheduled", keep_current=True)
    notice = _notice_type(appointment, previous_starts_at, previous_status)
    if notice and appointment.starts_at > now and getattr(settings, NOTICE_SWITCH[notice], False):
        key = f"{notice.lower()}:{appointment.id}:{appointment.starts_at.astimezone(UTC).isoformat()}"
        made.append(_create(appointment, notice, key, audited=True))
    if appointment.status in ACTIVE and appointment.starts_at > now and _reminders_on(settings):
        tenant = db.session.get(Tenant, appointment.tenant_id)
        made += arm_reminders(appointment, tenant, settings, now, audited=True)
    return [n for n in made if n is not None]


def save_appointment(tenant: Tenant, data: dict) -> tuple[Upserted, list[Notification]]:
    """The booking system's upsert by CitaPlanner id, then its notices and reminders (flush only)."""
    existing = appointment_by_ref(tenant.id, str(data.get("id") or "").strip())
    previous = (existing.starts_at, existing.status) if existing is not None else (None, None)
    result = upsert_appointment(tenant, data)
    return result, on_appointment_saved(result.obj, *previous)


def _reminders_on(settings: NotificationSettings | None) -> bool:
    return bool(settings and settings.send_reminders and resolve_settings(settings.tenant_id).enabled)


def withdraw_reminders(appointment: Appointment, reason: str, keep_current: bool = False) -> int:
    """Mark the appointment's pending reminders skipped (all, or those for an old start time)."""
    pending = db.session.scalars(select(Notification).where(
        Notification.appointment_id == appointment.id, Notification.status == NotificationStatus.PENDING,
        Notification.type == NotificationType.APPOINTMENT_REMINDER))
    count = 0
    for row in pending:
        if keep_current and is_reminder_for(row.idempotency_key, appointment.starts_at):
            continue
        row.status, row.reason, row.next_attempt_at = NotificationStatus.SKIPPED, reason, None
        # Free the key, so moving back to this time (or un-cancelling) arms a fresh reminder.
        row.idempotency_key = f"{row.idempotency_key}:withdrawn:{row.id}"
        count += 1
    db.session.flush()
    return count


def arm_reminders(appointment: Appointment, tenant: Tenant, settings: NotificationSettings, now: datetime,
                  grace: timedelta = timedelta(0), known: set[str] | None = None,
                  audited: bool = False) -> list[Notification | None]:
    """One reminder per offset (idempotent); offsets already past are stored as skipped."""
    made = []
    for offset in parse_offsets(settings.reminder_offsets_minutes):
        key = reminder_key(appointment.id, offset, appointment.starts_at)
        if known is not None and key in known:
            continue
        due = reminder_due(appointment.starts_at, offset, tenant.timezone)
        made.append(_create(appointment, NotificationType.APPOINTMENT_REMINDER, key, at=due,
                            skip=LATE if due < now - grace else None, audited=audited))
    return made


def _existing_keys(appointment_ids: list[str]) -> set[str]:
    if not appointment_ids:
        return set()
    return set(db.session.scalars(select(Notification.idempotency_key).where(
        Notification.appointment_id.in_(appointment_ids),
        Notification.type == NotificationType.APPOINTMENT_REMINDER)))


def _tally(report: ArmReport, made: list[Notification | None]) -> None:
    for row in made:
        if row is None:
            report.not_created += 1
        elif row.status == NotificationStatus.SKIPPED:
            report.skipped += 1
        else:
            report.armed += 1


def arm_upcoming_reminders(now: datetime | None = None) -> ArmReport:
    """Arm the missing reminders of every tenant's upcoming appointments (flush only)."""
    now, report = now or utcnow(), ArmReport()
    tenants = db.session.execute(select(Tenant, NotificationSettings).join(
        NotificationSettings, NotificationSettings.tenant_id == Tenant.id).where(NotificationSettings.send_reminders))
    for tenant, settings in tenants.all():
        offsets = parse_offsets(settings.reminder_offsets_minutes)
        if not offsets or not _reminders_on(settings):
            continue
        horizon = now + timedelta(minutes=offsets[0]) + ARM_AHEAD
        appointments = list(db.session.scalars(select(Appointment).where(
            Appointment.tenant_id == tenant.id, Appointment.status.in_(ACTIVE),
            Appointment.starts_at > now, Appointment.starts_at <= horizon)))
        known = _existing_keys([a.id for a in appointments])
        for appointment in appointments:
            _tally(report, arm_reminders(appointment, tenant, settings, now, SWEEP_GRACE, known))
    return report


def due_reminders(now: datetime | None = None) -> list[str]:
    """Ids of pending reminders whose time has come and that no worker holds."""
    now = now or utcnow()
    free = or_(Notification.leased_until.is_(None), Notification.leased_until <= now)
    return list(db.session.scalars(select(Notification.id).where(
        Notification.status == NotificationStatus.PENDING, Notification.type == NotificationType.APPOINTMENT_REMINDER,
        Notification.next_attempt_at <= now, free).order_by(Notification.next_attempt_at)))
