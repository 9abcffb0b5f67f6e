"""Reminders and appointment notices, time-controlled: booking, reschedule, cancel, late booking, quiet hours, DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, NotificationSettings, NotificationStatus, NotificationType
from app.services.accounts.tenants import create_tenant
from app.services.automations.settings import automation_settings
from app.services.notification_service import notification_service
from app.services.notifications.reminders import arm_upcoming_reminders, due_reminders, save_appointment
from app.services.notifications.schedule import quiet_hours_end, reminder_due
from tests.fixtures.notifications import drain, make_appointment, make_client, notifications, outgoing

REMINDER, CONFIRMATION = NotificationType.APPOINTMENT_REMINDER, NotificationType.APPOINTMENT_CONFIRMATION
CANCELLATION, RESCHEDULED = NotificationType.APPOINTMENT_CANCELLATION, NotificationType.APPOINTMENT_RESCHEDULED
# Tenant "uno" is in America/Mexico_City: UTC-6 all year (no DST since 2022).
BOOKED_AT = datetime(2026, 11, 11, 18, 0, tzinfo=UTC)  # Wednesday 12:00 local
STARTS = "2026-11-13T10:00:00"  # Friday 10:00 local = 16:00Z


def _settings(tenant) -> NotificationSettings:
    return db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))


def _book(tenant, starts_at: str = STARTS, status: str = "scheduled", appointment_id: str = "appt-1"):
    result, made = save_appointment(tenant, {"id": appointment_id, "client_id": "client-id", "starts_at": starts_at,
                                             "service_name": "Corte", "status": status})
    db.session.commit()
    return result.obj, made


def _reminders(appointment_id: str | None = None, **where):
    """Reminder rows (of the appointment with this CitaPlanner id), earliest first (rows made in the same
    frozen instant have no other order)."""
    if appointment_id is not None:
        where["appointment_id"] = db.session.scalar(select(Appointment.id).where(
            Appointment.external_id == appointment_id))
    return sorted(notifications(type=REMINDER, **where), key=lambda r: r.scheduled_for)


def _run_cli(app, *args):
    result = app.test_cli_runner().invoke(args=["reminders", "run", *args])
    db.session.expire_all()
    return result


@pytest.fixture
def booked_client(wired_tenant):
    return make_client(wired_tenant)


def test_booking_confirms_and_a_reminder_reaches_chatwoot_once_with_the_right_text(app, wired_tenant,
                                                                                  booked_client, chatwoot):
    with time_machine.travel(BOOKED_AT, tick=False):
        _appointment, made = _book(wired_tenant)
        assert sorted(n.type for n in made) == [CONFIRMATION, REMINDER, REMINDER]
        drain()
    reminders = _reminders()
    assert [r.scheduled_for for r in reminders] == [datetime(2026, 11, 12, 16, 0, tzinfo=UTC),   # the day before
                                                     datetime(2026, 11, 13, 14, 0, tzinfo=UTC)]  # 2 h before
    assert [m["content"] for m in outgoing(chatwoot)] == [
        "Hola Juan Pérez, tu cita en Salón Uno quedó confirmada para el viernes 13 de noviembre de 2026 a las 10:00. "
        "¡Te esperamos!"]
    with time_machine.travel(datetime(2026, 11, 12, 16, 0, 30, tzinfo=UTC), tick=False):
        first = _run_cli(app)
        second = _run_cli(app)
    assert first.exit_code == 0 and "due: 1  sent: 1" in first.output, first.output
    assert "due: 0  sent: 0" in second.output
    texts = [m["content"] for m in outgoing(chatwoot)]
    assert texts[1:] == ["Hola Juan Pérez, te recordamos tu cita en Salón Uno el viernes 13 de noviembre de 2026 a "
                         "las 10:00. Si necesitas cambiarla, responde a este mensaje."]
    assert [r.status for r in _reminders()] == [NotificationStatus.SENT, NotificationStatus.PENDING]


def test_rescheduling_withdraws_the_old_reminders_and_arms_new_ones(wired_tenant, booked_client, chatwoot):
    with time_machine.travel(BOOKED_AT, tick=False):
        _book(wired_tenant)
        _appointment, made = _book(wired_tenant, "2026-11-14T12:00:00")
    assert sorted(n.type for n in made) == [REMINDER, REMINDER, RESCHEDULED]
    rescheduled = next(n for n in made if n.type == RESCHEDULED)
    assert "cambió al sábado 14 de noviembre de 2026 a las 12:00" in rescheduled.message
    old = _reminders(status=NotificationStatus.SKIPPED)
    assert len(old) == 2 and {r.reason for r in old} == {"the appointment was rescheduled"}
    new = _reminders(status=NotificationStatus.PENDING)
    assert [r.scheduled_for for r in new] == [datetime(2026, 11, 13, 18, 0, tzinfo=UTC),
                                              datetime(2026, 11, 14, 16, 0, tzinfo=UTC)]
    assert due_reminders(datetime(2026, 11, 12, 16, 5, tzinfo=UTC)) == []  # the old time is gone
    with time_machine.travel(BOOKED_AT + timedelta(minutes=5), tick=False):
        _book(wired_tenant, STARTS)  # moved back: fresh reminders for the first time again
    assert len(_reminders(status=NotificationStatus.PENDING)) == 2
    assert {r.scheduled_for for r in _reminders(status=NotificationStatus.PENDING)} == {
        datetime(2026, 11, 12, 16, 0, tzinfo=UTC), datetime(2026, 11, 13, 14, 0, tzinfo=UTC)}


def test_an_unchanged_upsert_sends_nothing_new(wired_tenant, booked_client):
    with time_machine.travel(BOOKED_AT, tick=False):
        _book(wired_tenant)
        _appointment, made = _book(wired_tenant)
    assert [n.type for n in made] == [REMINDER, REMINDER]  # the same rows as before
    assert len(notifications()) == 3


def test_cancelling_withdraws_reminders_and_sends_the_cancellation(wired_tenant, booked_client, chatwoot):
    with time_machine.travel(BOOKED_AT, tick=False):
        _book(wired_tenant)
        _appointment, made = _book(wired_tenant, status="cancelled")
        drain()
    assert [n.type for n in made] == [CANCELLATION]
    assert {(r.status, r.reason) for r in _reminders()} == {(NotificationStatus.SKIPPED,
                                                             "the appointment is cancelled")}
    assert outgoing(chatwoot)[-1]["content"].startswith("Hola Juan Pérez, tu cita en Salón Uno del viernes 13 de "
                                                        "noviembre de 2026 a las 10:00 fue cancelada.")
    assert due_reminders(datetime(2026, 11, 13, 15, 0, tzinfo=UTC)) == []


def test_a_late_booking_skips_the_offsets_already_past(wired_tenant, booked_client):
    with time_machine.travel(datetime(2026, 11, 13, 15, 0, tzinfo=UTC), tick=False):  # 09:00, one hour before
        _book(wired_tenant)
    reminders = _reminders()
    assert [r.status for r in reminders] == [NotificationStatus.SKIPPED, NotificationStatus.SKIPPED]
    assert {r.reason for r in reminders} == {"the reminder time had already passed when the appointment was booked"}
    assert len(notifications(type=CONFIRMATION, status=NotificationStatus.PENDING)) == 1


def test_quiet_hours_defer_reminders_to_the_end_of_the_window(wired_tenant, booked_client):
    with time_machine.travel(BOOKED_AT, tick=False):
        _book(wired_tenant, "2026-11-13T09:00:00")  # 2 h before = 07:00, inside 21:00–08:00
        _book(wired_tenant, "2026-11-13T07:30:00", appointment_id="appt-early")
    nine = _reminders(appointment_id="appt-1")
    assert [r.scheduled_for for r in nine] == [datetime(2026, 11, 12, 15, 0, tzinfo=UTC),  # 09:00 the day before
                                               datetime(2026, 11, 13, 14, 0, tzinfo=UTC)]  # 08:00, not 07:00
    early = _reminders(appointment_id="appt-early")
    assert early[0].scheduled_for == datetime(2026, 11, 12, 14, 0, tzinfo=UTC)  # 07:30 the day before → 08:00
    assert (early[1].status, early[1].reason) == (NotificationStatus.SKIPPED,
                                                  "quiet hours last until the appointment starts")


def test_tenant_offsets_quiet_hours_and_switches_are_honoured(wired_tenant, booked_client):
    settings = _settings(wired_tenant)
    settings.reminder_offsets_minutes, settings.quiet_hours_start, settings.quiet_hours_end = "2880, 30,x", None, None
    settings.send_confirmations = False
    db.session.commit()
    with time_machine.travel(BOOKED_AT, tick=False):
        _appointment, made = _book(wired_tenant, "2026-11-13T07:00:00")
    assert [n.type for n in made] == [REMINDER, REMINDER]
    assert [r.scheduled_for for r in _reminders()] == [datetime(2026, 11, 11, 13, 0, tzinfo=UTC),
                                                       datetime(2026, 11, 13, 12, 30, tzinfo=UTC)]
    assert _reminders()[0].status == NotificationStatus.SKIPPED  # two days before was already past
    settings.send_reminders = False
    db.session.commit()
    with time_machine.travel(BOOKED_AT, tick=False):
        _appointment, made = _book(wired_tenant, appointment_id="appt-2")
    assert made == []


def test_the_sweep_arms_reminders_for_imported_appointments(wired_tenant, booked_client, other_tenant):
    make_appointment(wired_tenant, booked_client, datetime(2026, 11, 13, 16, 0, tzinfo=UTC))  # CSV import path
    far = make_appointment(wired_tenant, booked_client, datetime(2026, 12, 20, 16, 0, tzinfo=UTC), "appt-far")
    with time_machine.travel(BOOKED_AT, tick=False):
        report = arm_upcoming_reminders()
        db.session.commit()
        assert (report.armed, report.skipped) == (0, 0)  # more than a day away: not yet
    with time_machine.travel(datetime(2026, 11, 12, 15, 0, tzinfo=UTC), tick=False):
        report = arm_upcoming_reminders()
        again = arm_upcoming_reminders()
    assert (report.armed, report.skipped, again.armed) == (2, 0, 0)
    assert not _reminders(appointment_id=far.id)


def test_a_reminder_for_an_appointment_moved_behind_our_back_is_skipped(wired_tenant, booked_client, chatwoot):
    with time_machine.travel(BOOKED_AT, tick=False):
        appointment, _made = _book(wired_tenant)
    appointment.starts_at = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # a CSV import moved it
    db.session.commit()
    with time_machine.travel(datetime(2026, 11, 12, 16, 1, tzinfo=UTC), tick=False):
        row = notification_service.deliver(_reminders()[0].id)
    assert (row.status, row.reason) == (NotificationStatus.SKIPPED, "the appointment was rescheduled")
    assert chatwoot.sim.count("POST", "/messages") == 0


def test_historical_appointments_get_no_notices(wired_tenant, booked_client):
    with time_machine.travel(BOOKED_AT, tick=False):
        _appointment, made = _book(wired_tenant, "2026-10-01T10:00:00")
    assert made == [] and notifications() == []


def test_reminders_across_a_dst_change(app, booked_client):
    tenant = create_tenant("Salón NY", slug="ny", timezone="America/New_York", region="US")
    settings = _settings(tenant)
    settings.chatwoot_enabled = True
    db.session.commit()
    make_client(tenant, client_id="ny-client", phone="+12125550147", first_name="Ann", last_name="Lee")
    with time_machine.travel(datetime(2026, 3, 6, 17, 0, tzinfo=UTC), tick=False):  # Friday 12:00 EST
        for appointment_id, starts in (("dst-10", "2026-03-08T10:00:00"), ("dst-09", "2026-03-08T09:00:00")):
            save_appointment(tenant, {"id": appointment_id, "client_id": "ny-client", "starts_at": starts})
        db.session.commit()
    ten = _reminders(appointment_id="dst-10")
    # Sunday 8 March 2026 clocks jump 02:00 EST → 03:00 EDT. "The day before at 10:00" is still 10:00 on the wall.
    assert ten[0].scheduled_for == datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # 10:00 EST (not 09:00)
    assert ten[1].scheduled_for == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT
    nine = _reminders(appointment_id="dst-09")
    assert nine[1].scheduled_for == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 07:00 EDT deferred to 08:00 EDT
    assert "domingo 8 de marzo de 2026 a las 10:00" in ten[0].message


@pytest.mark.parametrize("zone, starts_utc, offset, due_utc", [
    ("America/Tijuana", datetime(2026, 11, 1, 18, 0, tzinfo=UTC), 1440, datetime(2026, 10, 31, 17, 0, tzinfo=UTC)),
    ("America/Tijuana", datetime(2026, 3, 8, 17, 0, tzinfo=UTC), 1440, datetime(2026, 3, 7, 18, 0, tzinfo=UTC)),
    ("America/Tijuana", datetime(2026, 3, 8, 17, 0, tzinfo=UTC), 120, datetime(2026, 3, 8, 15, 0, tzinfo=UTC)),
    ("America/Mexico_City", datetime(2026, 4, 6, 16, 0, tzinfo=UTC), 1440, datetime(2026, 4, 5, 16, 0, tzinfo=UTC)),
])
def test_reminder_due_counts_days_on_the_wall_clock(zone, starts_utc, offset, due_utc):
    assert reminder_due(starts_utc, offset, zone) == due_utc


def test_quiet_hours_end_is_local_on_both_sides_of_a_dst_change():
    from datetime import time

    start, end = time(21), time(8)
    before = quiet_hours_end(datetime(2026, 3, 7, 4, 0, tzinfo=UTC), "America/New_York", start, end)  # 23:00 EST
    after = quiet_hours_end(datetime(2026, 3, 8, 10, 0, tzinfo=UTC), "America/New_York", start, end)  # 06:00 EDT
    assert before == datetime(2026, 3, 7, 13, 0, tzinfo=UTC)  # 08:00 EST
    assert after == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT
    assert quiet_hours_end(datetime(2026, 3, 8, 14, 0, tzinfo=UTC), "America/New_York", start, end) is None
    assert quiet_hours_end(datetime(2026, 3, 8, 18, 0, tzinfo=UTC), "America/New_York", time(13), time(15)) == \
        datetime(2026, 3, 8, 19, 0, tzinfo=UTC)


def _open_hours(tenant, closed_dates=()):
    """Monday to Saturday 10–14 and 16–20, Sundays closed (Monday is "0")."""
    row = automation_settings(tenant.id)
    row.schedule = {str(day): [["10:00", "14:00"], ["16:00", "20:00"]] for day in range(6)}
    row.closed_dates = list(closed_dates)
    db.session.commit()


def test_once_the_salon_sets_its_hours_quiet_hours_are_the_hours_it_is_closed(wired_tenant, booked_client):
    _open_hours(wired_tenant)
    with time_machine.travel(BOOKED_AT, tick=False):
        _book(wired_tenant, "2026-11-13T17:00:00")  # Friday 17:00; 2 h before falls in the 14–16 break
    assert [r.scheduled_for for r in _reminders()] == [
        datetime(2026, 11, 12, 23, 0, tzinfo=UTC),  # Thursday 17:00: open, sent as due
        datetime(2026, 11, 13, 22, 0, tzinfo=UTC)]  # Friday 15:00 → 16:00, when the salon reopens


def test_closed_hours_never_push_a_reminder_to_its_own_appointment(wired_tenant, booked_client):
    _open_hours(wired_tenant)
    with time_machine.travel(BOOKED_AT, tick=False):
        _book(wired_tenant, "2026-11-16T10:00:00")  # Monday 10:00, the salon is closed on Sunday
    reminders = _reminders()
    assert [r.status for r in reminders] == [NotificationStatus.PENDING, NotificationStatus.PENDING]
    assert [r.scheduled_for for r in reminders] == [
        datetime(2026, 11, 15, 16, 0, tzinfo=UTC),  # Sunday 10:00 is closed, but Monday 10:00 would be too late
        datetime(2026, 11, 16, 14, 0, tzinfo=UTC)]  # 08:00 is outside the configured 21:00–08:00


def test_marketing_waits_for_the_next_opening_past_a_closed_date(wired_tenant, booked_client):
    _open_hours(wired_tenant, closed_dates=["2026-11-16"])  # Monday, a holiday
    with time_machine.travel(datetime(2026, 11, 14, 21, 0, tzinfo=UTC), tick=False):  # Saturday 15:00, the break
        row = notification_service.create_notification(NotificationType.MARKETING, "CHATWOOT", booked_client.id,
                                                       "Promoción de diciembre", enqueue=False)
        db.session.commit()
    assert row.scheduled_for == datetime(2026, 11, 14, 22, 0, tzinfo=UTC)  # 16:00 the same day
    with time_machine.travel(datetime(2026, 11, 15, 2, 30, tzinfo=UTC), tick=False):  # Saturday 20:30
        late = notification_service.create_notification(NotificationType.MARKETING, "CHATWOOT", booked_client.id,
                                                         "Promoción de diciembre", enqueue=False)
        db.session.commit()
    assert late.scheduled_for == datetime(2026, 11, 17, 16, 0, tzinfo=UTC)  # Tuesday 10:00: Sunday and Monday closed
