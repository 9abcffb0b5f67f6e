"""The salon's opening hours: a weekly schedule with several ranges a day, closed dates, public holidays.

Times are wall-clock times in the salon's time zone; a schedule is {"0": [["10:00", "14:00"], ...]}
with Monday as "0". An empty schedule means the salon has not set one (nothing is ever "closed").
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from app.services.notifications.schedule import local_to_utc, parse_clock

SEARCH_DAYS = 400  # a year of closed dates cannot hide the next opening


def day_ranges(schedule: dict, weekday: int) -> list[tuple[time, time]]:
    """The valid (start, end) ranges of a weekday, in order; malformed or empty ranges are dropped."""
    found = []
    for pair in schedule.get(str(weekday)) or []:
        start, end = (parse_clock(pair[0]), parse_clock(pair[1])) if len(pair) == 2 else (None, None)
        if start is not None and end is not None and start < end:
            found.append((start, end))
    return sorted(found)


def has_schedule(schedule: dict | None) -> bool:
    return any(day_ranges(schedule or {}, weekday) for weekday in range(7))


def is_open(at: datetime, tz_name: str, schedule: dict, closed_dates: list[str]) -> bool:
    """Whether `at` falls in one of the day's ranges on a day that is not closed."""
    local = at.astimezone(ZoneInfo(tz_name))
    if local.date().isoformat() in set(closed_dates or []):
        return False
    now = local.time().replace(tzinfo=None)
    return any(start <= now < end for start, end in day_ranges(schedule, local.weekday()))


def next_opening(at: datetime, tz_name: str, schedule: dict, closed_dates: list[str]) -> datetime | None:
    """The first opening at or after `at` (a UTC instant), or None when the schedule never opens."""
    tz = ZoneInfo(tz_name)
    local = at.astimezone(tz)
    closed = set(closed_dates or [])
    for offset in range(SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        if day.isoformat() in closed:
            continue
        for start, _end in day_ranges(schedule, day.weekday()):
            opening = local_to_utc(datetime.combine(day, start), tz)
            if opening >= at:
                return opening
    return None


def public_holidays(country: str, year: int) -> list[tuple[date, str]]:
    """The country's public holidays of a year, in Spanish where the library has it (else in the country's
    own language: the library falls back by itself), sorted by date."""
    return sorted(holidays.country_holidays(country, years=year, language="es").items())


def parse_ranges(text: str | None) -> list[list[str]]:
    """'10:00-14:00, 16:00-20:00' → [["10:00", "14:00"], ["16:00", "20:00"]]; ValueError names a bad range."""
    ranges = []
    for part in (text or "").replace(";", ",").split(","):
        if not part.strip():
            continue
        start, _sep, end = part.replace("–", "-").partition("-")
        opens, closes = parse_clock(start), parse_clock(end)
        if opens is None or closes is None or opens >= closes:
            raise ValueError(part.strip())
        ranges.append([opens.strftime("%H:%M"), closes.strftime("%H:%M")])
    return sorted(ranges)


def format_ranges(ranges: list[list[str]] | None) -> str:
    return ", ".join(f"{start}-{end}" for start, end in ranges or [])


def parse_dates(text: str | None) -> list[str]:
    """One ISO date (2026-12-25) per line or comma; ValueError names the first that is not a date."""
    found = set()
    for part in (text or "").replace(",", "\n").splitlines():
        if part.strip():
            found.add(date.fromisoformat(part.strip()).isoformat())
    return sorted(found)
