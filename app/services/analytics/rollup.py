"""Daily roll-ups: the worker stores the figures of finished days; an event that changes a finished day
deletes its row, so the page computes that day live until the worker has stored it again. Today's row is
stored again at every sweep: the page takes it while it is less than a minute old (INTERFACES §10: the
figures include every event processed more than a minute ago)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, event, func, inspect, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AnalyticsDay, Appointment, ChatwootInteraction, Client, Tenant, utcnow
from app.services.analytics.figures import BOOKING_WINDOW, DayFigures, aware, compute_day, local_day

KEPT_DAYS = 90  # the longest period the page shows
TODAY_FRESH = timedelta(seconds=60)
PER_RUN = 40  # days computed per tenant and sweep, so one sweep stays short


def figures_of(row: AnalyticsDay) -> DayFigures:
    return DayFigures(row.day, row.messages_in, row.messages_out, list(row.response_seconds or []),
                      row.conversations_unanswered, row.new_customers, row.booked_within_7d, row.booked_new_clients)


def stored_days(tenant_id: str, first: date, last: date) -> dict[date, DayFigures]:
    rows = db.session.scalars(select(AnalyticsDay).where(AnalyticsDay.tenant_id == tenant_id,
                                                         AnalyticsDay.day >= first, AnalyticsDay.day <= last))
    return {row.day: figures_of(row) for row in rows}


def store(tenant_id: str, figures: DayFigures) -> None:
    db.session.add(AnalyticsDay(tenant_id=tenant_id, day=figures.day, messages_in=figures.messages_in,
                                messages_out=figures.messages_out, response_seconds=figures.response_seconds,
                                conversations_unanswered=figures.conversations_unanswered,
                                new_customers=figures.new_customers, booked_within_7d=figures.booked_within_7d,
                                booked_new_clients=figures.booked_new_clients, computed_at=utcnow()))


def missing_days(tenant: Tenant, now: datetime) -> list[date]:
    """Finished days of the last KEPT_DAYS without a stored row, most recent first."""
    today = local_day(now, tenant.timezone)
    wanted = [today - timedelta(days=n) for n in range(1, KEPT_DAYS + 1)]
    have = set(db.session.scalars(select(AnalyticsDay.day).where(AnalyticsDay.tenant_id == tenant.id,
                                                                  AnalyticsDay.day >= wanted[-1])))
    return [day for day in wanted if day not in have]


def fresh_today(tenant: Tenant, now: datetime) -> DayFigures | None:
    """Today's stored figures when the worker computed them less than a minute ago."""
    row = db.session.get(AnalyticsDay, (tenant.id, local_day(now, tenant.timezone)))
    return figures_of(row) if row is not None and aware(row.computed_at) > now - TODAY_FRESH / 2 else None


def _refresh_today(tenant: Tenant, now: datetime) -> int:
    today = local_day(now, tenant.timezone)
    row = db.session.get(AnalyticsDay, (tenant.id, today))
    if row is not None and aware(row.computed_at) > now - TODAY_FRESH / 3:
        return 0
    if row is not None:
        db.session.delete(row)
        db.session.flush()
    store(tenant.id, compute_day(tenant.id, tenant.timezone, today))
    return 1


def roll_up(tenant: Tenant, now: datetime) -> int:
    """Store up to PER_RUN missing finished days and today's figures (flushed; the job commits); returns how
    many rows were stored."""
    days = missing_days(tenant, now)[:PER_RUN]
    for day in days:
        store(tenant.id, compute_day(tenant.id, tenant.timezone, day))
    stored = len(days) + _refresh_today(tenant, now)
    db.session.flush()
    return stored


def forget(tenant_id: str, tz_name: str, moments: list[datetime | None], now: datetime | None = None) -> None:
    """Delete the stored rows of the finished days these moments fall on (the figures changed)."""
    today = local_day(now or utcnow(), tz_name)
    days = {local_day(moment, tz_name) for moment in moments if moment is not None}
    days = {day for day in days if day < today}
    if days:
        db.session.execute(delete(AnalyticsDay).where(AnalyticsDay.tenant_id == tenant_id,
                                                      AnalyticsDay.day.in_(sorted(days))))


def first_message_at(tenant_id: str, column, key: str | None) -> datetime | None:
    if key is None:
        return None
    return db.session.scalar(select(func.min(ChatwootInteraction.created_at)).where(
        ChatwootInteraction.tenant_id == tenant_id, column == key, ChatwootInteraction.event == "message_created",
        ChatwootInteraction.direction == "incoming"))


def forget_days_touched_by(row: ChatwootInteraction, tz_name: str) -> None:
    """A message logged late changes its own day and the day its conversation and customer started."""
    moments = [row.created_at, first_message_at(row.tenant_id, ChatwootInteraction.conversation_id,
                                                row.conversation_id)]
    if row.direction == "incoming":
        moments.append(first_message_at(row.tenant_id, ChatwootInteraction.chatwoot_contact_id,
                                        row.chatwoot_contact_id))
    forget(row.tenant_id, tz_name, moments)


@event.listens_for(Session, "before_flush")
def _new_bookings_change_conversion(session: Session, _context, _instances) -> None:
    """A booking made within 7 days of a customer's first message changes the day she started on."""
    appointments = [obj for obj in session.new if isinstance(obj, Appointment)]
    if not appointments:
        return
    with session.no_autoflush:
        for appointment in appointments:
            client = session.get(Client, appointment.client_id) if appointment.client_id else None
            if client is None or not client.chatwoot_contact_id:
                continue
            first = first_message_at(client.tenant_id, ChatwootInteraction.chatwoot_contact_id,
                                     client.chatwoot_contact_id)
            if first is not None and utcnow() - aware(first) <= BOOKING_WINDOW + timedelta(days=1):
                tenant = session.get(Tenant, client.tenant_id)
                forget(client.tenant_id, tenant.timezone, [first])


@event.listens_for(Session, "before_flush")
def _links_change_conversion(session: Session, _context, _instances) -> None:
    """A contact linked to a client (or unlinked, or moved) changes whether the customer booked: the day
    each contact concerned first wrote is computed again, however long ago it was."""
    changed = [(client, contacts) for client in list(session.new) + list(session.dirty)
               if isinstance(client, Client) and (contacts := _contacts_changed(client))]
    if not changed:
        return
    with session.no_autoflush:
        for client, contacts in changed:
            tenant = session.get(Tenant, client.tenant_id)
            forget(client.tenant_id, tenant.timezone,
                   [first_message_at(client.tenant_id, ChatwootInteraction.chatwoot_contact_id, contact)
                    for contact in contacts])


def _contacts_changed(client: Client) -> set[str]:
    """The contact ids this flush links the client to or unlinks it from."""
    history = inspect(client).attrs.chatwoot_contact_id.history
    return {contact for contact in (*history.added, *history.deleted) if contact}
