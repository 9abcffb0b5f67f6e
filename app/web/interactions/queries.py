"""Reading the interaction log with indexed filters and keyset pagination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.models import ChatwootInteraction, Client, Tenant
from app.services.listing import Page, keyset_page, rows_by_id


@dataclass
class InteractionFilters:
    direction: str | None = None
    event: str | None = None
    client_id: str | None = None
    matched: bool | None = None
    since: date | None = None  # tenant-local dates, both inclusive
    until: date | None = None


def local_midnight_utc(day: date, tz_name: str) -> datetime:
    """The instant a tenant-local day starts."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz_name))


def interactions_page(tenant: Tenant, filters: InteractionFilters, cursor: str | None) -> Page:
    """One page of the tenant's interactions matching the filters, newest first."""
    model = ChatwootInteraction
    query = select(model).where(model.tenant_id == tenant.id)
    if filters.client_id:
        query = query.where(model.client_id == filters.client_id)
    elif filters.matched is not None:
        query = query.where(model.client_id.is_not(None) if filters.matched else model.client_id.is_(None))
    if filters.direction:
        query = query.where(model.direction == filters.direction)
    if filters.event:
        query = query.where(model.event == filters.event)
    if filters.since:
        query = query.where(model.created_at >= local_midnight_utc(filters.since, tenant.timezone))
    if filters.until:
        query = query.where(model.created_at < local_midnight_utc(filters.until + timedelta(days=1), tenant.timezone))
    return keyset_page(query, model.created_at, model.id, cursor)


def clients_by_id(tenant: Tenant, rows: list[ChatwootInteraction]) -> dict[str, Client]:
    """The clients named on a page, in one primary-key query."""
    return rows_by_id(Client, tenant.id, (row.client_id for row in rows))
