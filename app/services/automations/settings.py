"""A tenant's automation settings and the default Spanish texts, so "on" answers out of the box."""

from __future__ import annotations

from sqlalchemy import select

from app.booking.callback import check_callback_url
from app.extensions import db
from app.models import AutomationSettings, Tenant, User
from app.services.audit import record
from app.services.automations.hours import has_schedule, public_holidays

DEFAULT_TEXTS = {
    "confirm_text": "¡Gracias, {{clientName}}! Tu cita del {{appointmentDate}} a las {{appointmentTime}} "
                    "quedó confirmada. Te esperamos en {{salonName}}.",
    "cancel_text": "Gracias por avisarnos, {{clientName}}. Registramos que quieres cancelar tu cita del "
                   "{{appointmentDate}} a las {{appointmentTime}}; en breve te escribe alguien de {{salonName}}.",
    "optout_text": "Listo, ya no te enviaremos promociones de {{salonName}}. Seguirás recibiendo los avisos de "
                   "tus citas. Escribe ALTA si cambias de opinión.",
    "optin_text": "¡Bienvenida de vuelta! Volverás a recibir las novedades de {{salonName}}.",
    "out_of_hours_text": "Gracias por escribir a {{salonName}}. En este momento estamos cerrados; te respondemos "
                         "a partir del {{nextOpening}}.",
}
TEXT_FIELDS = tuple(DEFAULT_TEXTS)


def automation_settings(tenant_id: str) -> AutomationSettings:
    """The tenant's row, created with the defaults (in the session, flushed by the caller's unit) if missing."""
    row = db.session.scalar(select(AutomationSettings).where(AutomationSettings.tenant_id == tenant_id))
    if row is None:
        row = AutomationSettings(tenant_id=tenant_id, confirm_enabled=True, optout_enabled=True,
                                 out_of_hours_enabled=False, schedule={}, closed_dates=[])
        db.session.add(row)
    return row


def saved_opening_hours(tenant_id: str) -> tuple[dict, list[str]] | None:
    """(schedule, closed dates) once the salon has set a weekly schedule, else None (read only)."""
    row = db.session.scalar(select(AutomationSettings).where(AutomationSettings.tenant_id == tenant_id))
    if row is None or not has_schedule(row.schedule):
        return None
    return row.schedule, list(row.closed_dates or [])


def text_of(row: AutomationSettings, field: str) -> str:
    """The tenant's own text, else the default."""
    own = getattr(row, field)
    return own if own and own.strip() else DEFAULT_TEXTS[field]


def load_public_holidays(tenant_id: str, country: str, year: int) -> list[str]:
    """Add the country's public holidays of `year` to the closed dates; returns the dates added."""
    row = automation_settings(tenant_id)
    known = set(row.closed_dates or [])
    added = [day.isoformat() for day, _name in public_holidays(country, year) if day.isoformat() not in known]
    row.closed_dates = sorted(known | set(added))  # a new list: the JSON column sees the change
    return added


SWITCHES = ("confirm_enabled", "optout_enabled", "out_of_hours_enabled")


def save_automation_settings(tenant: Tenant, user: User, *, switches: dict[str, bool], texts: dict[str, str | None],
                             schedule: dict[str, list], closed_dates: list[str], callback_url: str | None,
                             callback_secret: str | None) -> AutomationSettings:
    """Store the section; a blank text returns to the default, a blank secret keeps the stored one."""
    row = automation_settings(tenant.id)
    for name in SWITCHES:
        setattr(row, name, bool(switches.get(name)))
    for name in TEXT_FIELDS:
        text = (texts.get(name) or "").strip()
        setattr(row, name, text if text and text != DEFAULT_TEXTS[name] else None)
    row.schedule = {day: ranges for day, ranges in schedule.items() if ranges}
    row.closed_dates = list(closed_dates)
    row.callback_url = (callback_url or "").strip() or None
    if row.callback_url:
        check_callback_url(row.callback_url)  # CallbackDestinationRefused: the caller's unit rolls back
    if (callback_secret or "").strip():
        row.callback_secret = callback_secret.strip()
    record("settings.automations", tenant_id=tenant.id, by=user, target_type="tenant", target_id=tenant.id,
           switches={name: getattr(row, name) for name in SWITCHES}, open_days=sorted(row.schedule),
           closed_dates=len(row.closed_dates), callback=bool(row.callback_url))
    db.session.flush()
    return row
