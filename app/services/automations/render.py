"""Filling a reply's text: the salon, the client, her appointment and {{nextOpening}} in Spanish."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.models import Appointment, Client, Tenant, utcnow
from app.services.automations.hours import has_schedule, next_opening
from app.services.automations.settings import DEFAULT_TEXTS, automation_settings, text_of
from app.services.notifications.templates import (
    TemplateError,
    context_variables,
    format_local_date,
    format_local_time,
    render,
)


def opening_text(opening: datetime | None, tz_name: str) -> str:
    """'lunes 7 de diciembre de 2026 a las 10:00', or a neutral phrase when the schedule never opens."""
    if opening is None:
        return "próximo día hábil"
    return f"{format_local_date(opening, tz_name)} a las {format_local_time(opening, tz_name)}"


def variables(tenant: Tenant, client: Client | None, appointment: Appointment | None = None,
              opening: datetime | None = None) -> dict[str, str]:
    return {**context_variables(tenant, client, appointment), "nextOpening": opening_text(opening, tenant.timezone)}


def reply_text(tenant: Tenant, field: str, client: Client | None, appointment: Appointment | None = None,
               opening: datetime | None = None) -> str:
    """The tenant's text filled in; the default text when the tenant's own uses a value this reply lacks."""
    values = variables(tenant, client, appointment, opening)
    try:
        return render(text_of(automation_settings(tenant.id), field), values)
    except TemplateError:
        # Defaults only use what every reply of their kind has (out-of-hours never needs the client).
        return render(DEFAULT_TEXTS[field], values)


def preview_text(tenant: Tenant, field: str, body: str | None) -> str:
    """A text as the customer would read it, with sample data and the salon's real next opening."""
    settings = automation_settings(tenant.id)
    tz = ZoneInfo(tenant.timezone)
    now = utcnow()
    sample_at = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time(10), tzinfo=tz)
    opening = next_opening(now, tenant.timezone, settings.schedule, settings.closed_dates) \
        if has_schedule(settings.schedule) else sample_at
    values = {"clientName": "María López", "salonName": tenant.name,
              "appointmentDate": format_local_date(sample_at, tenant.timezone),
              "appointmentTime": format_local_time(sample_at, tenant.timezone),
              "nextOpening": opening_text(opening, tenant.timezone)}
    return render(body if body and body.strip() else DEFAULT_TEXTS[field], values)
