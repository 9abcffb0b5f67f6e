"""Language and time-zone selection: es-MX first, English second."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from app.extensions import babel

LANGUAGES = ("es_MX", "en")


def select_locale() -> str:
    """The user's choice, else the one made on the login page, else Spanish: the salon's language
    (INTERFACES §4), whatever the browser asks for."""
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return "es_MX"


def select_timezone() -> str:
    tenant = g.get("tenant")
    return tenant.timezone if tenant else "America/Mexico_City"


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """Render a UTC datetime in the current tenant's time zone."""
    if value is None:
        return "—"
    return format_datetime(value, fmt)


def local_date(value: date, fmt: str = "medium") -> str:
    """A calendar day already in the salon's zone (no conversion), in the page's language."""
    return format_date(value, fmt)


def to_tenant_tz(value: datetime, tz_name: str) -> datetime:
    return value.astimezone(ZoneInfo(tz_name))


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["localdt"] = local_datetime
    app.jinja_env.filters["localdate"] = local_date
    app.jinja_env.globals["get_locale"] = get_locale
