"""The analytics page and its CSV: the period's days (roll-ups, today and missing days live), reminders and
no-shows from the notifications and appointments themselves, notifications by type and status."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, AppointmentStatus, Notification, NotificationStatus, NotificationType, Tenant
from app.services.analytics.figures import DayFigures, aware, compute_day, day_bounds, local_day
from app.services.analytics.rollup import fresh_today, stored_days

PERIODS = (7, 30, 90)
DELIVERED = (NotificationStatus.DELIVERED, NotificationStatus.READ)
CSV_HEADER = ("date", "messages_in", "messages_out", "first_response_median_s", "first_response_p90_s",
              "conversations_unanswered", "new_customers", "booked_within_7d", "reminders_delivered",
              "reminders_read", "no_shows_with_reminder", "no_shows_without_reminder")


def percentile(ordered: list[int], share: float) -> int | None:
    """Nearest-rank percentile of sorted values (the median is share 0.5); None without values."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Day:
    figures: DayFigures
    reminders_sent: int = 0
    reminders_delivered: int = 0
    reminders_read: int = 0
    no_shows_with_reminder: int = 0
    no_shows_without_reminder: int = 0

    @property
    def day(self) -> date:
        return self.figures.day

    @property
    def median(self) -> int | None:
        return percentile(self.figures.response_seconds, 0.5)

    @property
    def p90(self) -> int | None:
        return percentile(self.figures.response_seconds, 0.9)


@dataclass
class NoShows:
    """Past appointments of the period (cancelled ones aside), split by a delivered reminder."""

    with_reminder: int = 0
    with_reminder_no_show: int = 0
    without_reminder: int = 0
    without_reminder_no_show: int = 0


@dataclass
class Report:
    tenant: Tenant
    period: int
    days: list[Day]
    no_shows: NoShows
    by_type: dict[str, Counter] = field(default_factory=dict)

    def total(self, name: str) -> int:
        return sum(getattr(day.figures, name) if hasattr(day.figures, name) else getattr(day, name)
                   for day in self.days)

    @property
    def response_seconds(self) -> list[int]:
        return sorted(s for day in self.days for s in day.figures.response_seconds)

    @property
    def median(self) -> int | None:
        return percentile(self.response_seconds, 0.5)

    @property
    def p90(self) -> int | None:
        return percentile(self.response_seconds, 0.9)


def _days(tenant: Tenant, first: date, today: date, now: datetime) -> list[Day]:
    """Stored figures where the worker has them (today's only while fresh), the others computed live."""
    stored = stored_days(tenant.id, first, today - timedelta(days=1))
    latest = fresh_today(tenant, now)
    if latest is not None:
        stored[today] = latest
    span = (today - first).days + 1
    return [Day(stored.get(day) or compute_day(tenant.id, tenant.timezone, day))
            for day in (first + timedelta(days=n) for n in range(span))]


def _reminders(tenant: Tenant, by_day: dict[date, Day], start: datetime, end: datetime) -> set[str]:
    """Fill each day's reminders sent/delivered/read; returns the appointments with a delivered reminder."""
    rows = db.session.execute(select(Notification.sent_at, Notification.status, Notification.appointment_id).where(
        Notification.tenant_id == tenant.id, Notification.type == NotificationType.APPOINTMENT_REMINDER,
        Notification.created_at >= start - timedelta(days=30), Notification.sent_at.is_not(None))).tuples()
    reminded = set()
    for sent_at, status, appointment_id in rows:
        if status in DELIVERED and appointment_id:
            reminded.add(appointment_id)
        day = by_day.get(local_day(sent_at, tenant.timezone))
        if day is None or not start <= aware(sent_at) < end:
            continue
        day.reminders_sent += 1
        day.reminders_delivered += status in DELIVERED
        day.reminders_read += status == NotificationStatus.READ
    return reminded


def _no_shows(tenant: Tenant, by_day: dict[date, Day], start: datetime, end: datetime, now: datetime,
              reminded: set[str]) -> NoShows:
    rows = db.session.execute(select(Appointment.id, Appointment.starts_at, Appointment.status).where(
        Appointment.tenant_id == tenant.id, Appointment.starts_at >= start, Appointment.starts_at < min(end, now),
        Appointment.status != AppointmentStatus.CANCELLED)).tuples()
    totals = NoShows()
    for appointment_id, starts_at, status in rows:
        day = by_day[local_day(starts_at, tenant.timezone)]
        missed = status == AppointmentStatus.NO_SHOW
        if appointment_id in reminded:
            totals.with_reminder += 1
            totals.with_reminder_no_show += missed
            day.no_shows_with_reminder += missed
        else:
            totals.without_reminder += 1
            totals.without_reminder_no_show += missed
            day.no_shows_without_reminder += missed
    return totals


def _by_type(tenant: Tenant, start: datetime, end: datetime) -> dict[str, Counter]:
    rows = db.session.execute(select(Notification.type, Notification.status).where(
        Notification.tenant_id == tenant.id, Notification.created_at >= start, Notification.created_at < end)).tuples()
    found: dict[str, Counter] = {}
    for kind, status in rows:
        found.setdefault(str(kind), Counter())[str(status)] += 1
    return found


def build_report(tenant: Tenant, period: int, now: datetime) -> Report:
    """The last `period` days up to today (salon time); ValueError for a period the page does not offer."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    today = local_day(now, tenant.timezone)
    first = today - timedelta(days=period - 1)
    days = _days(tenant, first, today, now)
    start, end = day_bounds(first, tenant.timezone)[0], day_bounds(today, tenant.timezone)[1]
    by_day = {day.day: day for day in days}
    reminded = _reminders(tenant, by_day, start, end)
    no_shows = _no_shows(tenant, by_day, start, end, now, reminded)
    return Report(tenant, period, days, no_shows, _by_type(tenant, start, end))


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


def report_csv(report: Report) -> str:
    """One row per day with the header of INTERFACES §10; UTF-8 without a byte-order mark (the caller encodes)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for day in report.days:
        f = day.figures
        writer.writerow([day.day.isoformat(), f.messages_in, f.messages_out, _cell(day.median), _cell(day.p90),
                         f.conversations_unanswered, f.new_customers, f.booked_within_7d, day.reminders_delivered,
                         day.reminders_read, day.no_shows_with_reminder, day.no_shows_without_reminder])
    return out.getvalue()
