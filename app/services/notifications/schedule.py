"""When notifications go out: reminder times and quiet hours in the salon's own time zone (DST-correct)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.models import NotificationSettings

MINUTES_PER_DAY = 24 * 60


def parse_offsets(stored: str | None) -> list[int]:
    """'1440,120' → [1440, 120]: positive whole minutes, largest first, duplicates and junk dropped."""
    found = {int(part) for part in (stored or "").split(",") if part.strip().isdigit() and int(part) > 0}
    return sorted(found, reverse=True)


def parse_clock(value: str | None) -> time | None:
    """'21:00' → time(21, 0); empty or malformed → None."""
    try:
        return time.fromisoformat((value or "").strip())
    except ValueError:
        return None


def local_to_utc(naive_local: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time in the zone as an aware UTC instant (a time skipped by DST lands just after the gap)."""
    return naive_local.replace(tzinfo=tz).astimezone(UTC)


def reminder_due(starts_at: datetime, offset_minutes: int, tz_name: str) -> datetime:
    """When a reminder is due, as a UTC instant.

    Whole days count on the salon's wall clock ("the day before at the same time", even across a DST
    change); other offsets are plain elapsed time ("2 hours before").
    """
    if offset_minutes % MINUTES_PER_DAY == 0:
        tz = ZoneInfo(tz_name)
        wall = starts_at.astimezone(tz).replace(tzinfo=None) - timedelta(days=offset_minutes // MINUTES_PER_DAY)
        return local_to_utc(wall, tz)
    return starts_at.astimezone(UTC) - timedelta(minutes=offset_minutes)


def reminder_key(appointment_id: str, offset_minutes: int, starts_at: datetime) -> str:
    """The idempotency key of one reminder: one per appointment, offset and start time."""
    return f"reminder:{appointment_id}:{offset_minutes}:{starts_at.astimezone(UTC).isoformat()}"


def is_reminder_for(key: str | None, starts_at: datetime) -> bool:
    """Whether a reminder key was made for this start time (False after a reschedule)."""
    return bool(key) and key.startswith("reminder:") and key.endswith(":" + starts_at.astimezone(UTC).isoformat())


def quiet_hours_end(at: datetime, tz_name: str, start: time | None, end: time | None) -> datetime | None:
    """The UTC instant the quiet window containing `at` ends, or None when `at` is outside it."""
    if start is None or end is None or start == end:
        return None
    tz = ZoneInfo(tz_name)
    local = at.astimezone(tz)
    now = local.time().replace(tzinfo=None)
    if start < end:
        inside, end_day = start <= now < end, local.date()
    else:  # the window spans midnight, e.g. 21:00–08:00
        inside = now >= start or now < end
        end_day = local.date() + timedelta(days=1) if now >= start else local.date()
    return local_to_utc(datetime.combine(end_day, end), tz) if inside else None


def outside_quiet_hours(at: datetime, tz_name: str, settings: NotificationSettings | None) -> datetime:
    """`at`, or the end of the tenant's quiet hours when `at` falls inside them."""
    if settings is None:
        return at
    start, end = parse_clock(settings.quiet_hours_start), parse_clock(settings.quiet_hours_end)
    return quiet_hours_end(at, tz_name, start, end) or at
