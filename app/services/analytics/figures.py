"""One salon-local day's interaction figures, computed from the interaction log.

Times are the messages' own `created_at` from Chatwoot (the log is dated that way). A conversation counts on
the day of its first customer message; its first response is the first public reply by a person after it
(automatic replies, notifications and private notes are not replies). A customer is new on the day of her
first message ever; she "booked" when an appointment for her client was created within 7 days after it
(an appointment that had already started when it was stored, i.e. an import of the past, does not count).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Appointment, ChatwootInteraction, Client

MESSAGE = "message_created"
OUT_EVENTS = (MESSAGE, "notification_sent", "test_message", "automation_reply")
BOOKING_WINDOW = timedelta(days=7)
CHUNK = 500  # ids per IN (...) list


@dataclass
class DayFigures:
    day: date
    messages_in: int = 0
    messages_out: int = 0
    response_seconds: list[int] = field(default_factory=list)
    conversations_unanswered: int = 0
    new_customers: int = 0
    booked_within_7d: int = 0
    booked_new_clients: int = 0


def day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """The UTC instants a salon-local day starts and ends (DST days are 23 or 25 hours long)."""
    tz = ZoneInfo(tz_name)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def local_day(moment: datetime, tz_name: str) -> date:
    return aware(moment).astimezone(ZoneInfo(tz_name)).date()


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for index in range(0, len(values), CHUNK):
        yield values[index:index + CHUNK]


def _incoming():
    return and_(ChatwootInteraction.event == MESSAGE, ChatwootInteraction.direction == "incoming")


def _firsts(tenant_id: str, column, keys: list[str]) -> dict[str, datetime]:
    """The first customer message ever of each conversation (or contact) in `keys`."""
    found: dict[str, datetime] = {}
    for chunk in _chunks(keys):
        found.update(db.session.execute(
            select(column, func.min(ChatwootInteraction.created_at))
            .where(ChatwootInteraction.tenant_id == tenant_id, column.in_(chunk), _incoming())
            .group_by(column)).tuples().all())
    return {key: aware(at) for key, at in found.items()}


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC values; PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _person_replies(tenant_id: str, conversations: list[str], since: datetime) -> dict[str, list[datetime]]:
    replies: dict[str, list[datetime]] = {}
    for chunk in _chunks(conversations):
        rows = db.session.execute(
            select(ChatwootInteraction.conversation_id, ChatwootInteraction.created_at)
            .where(ChatwootInteraction.tenant_id == tenant_id, ChatwootInteraction.conversation_id.in_(chunk),
                   ChatwootInteraction.event == MESSAGE, ChatwootInteraction.direction == "outgoing",
                   or_(ChatwootInteraction.sender_kind.is_(None), ChatwootInteraction.sender_kind == "person"),
                   ChatwootInteraction.created_at >= since)).tuples()
        for conversation_id, at in rows:
            replies.setdefault(conversation_id, []).append(aware(at))
    return replies


def _responses(tenant_id: str, started: dict[str, datetime], since: datetime) -> tuple[list[int], int]:
    """(seconds to the first reply by a person of each answered conversation, unanswered conversations)."""
    replies = _person_replies(tenant_id, sorted(started), since)
    seconds, unanswered = [], 0
    for conversation_id, first_in in started.items():
        after = [at for at in replies.get(conversation_id, []) if at >= first_in]
        if after:
            seconds.append(int((min(after) - first_in).total_seconds()))
        else:
            unanswered += 1
    return sorted(seconds), unanswered


def _bookings(tenant_id: str, new_contacts: dict[str, datetime]) -> tuple[int, int]:
    """(new customers who booked within 7 days, of them clients made after their first message)."""
    if not new_contacts:
        return 0, 0
    clients = dict(db.session.execute(select(Client.chatwoot_contact_id, Client).where(
        Client.tenant_id == tenant_id, Client.chatwoot_contact_id.in_(list(new_contacts)))).tuples().all())
    booked = new_clients = 0
    for contact_id, first_in in new_contacts.items():
        client = clients.get(contact_id)
        if client is None:
            continue
        created = db.session.scalar(select(func.count()).select_from(Appointment).where(
            Appointment.client_id == client.id, Appointment.created_at >= first_in,
            Appointment.created_at < first_in + BOOKING_WINDOW, Appointment.starts_at >= Appointment.created_at))
        if created:
            booked += 1
            new_clients += aware(client.created_at) >= first_in
    return booked, new_clients


def compute_day(tenant_id: str, tz_name: str, day: date) -> DayFigures:
    """Everything the log says about one day, as of now."""
    start, end = day_bounds(day, tz_name)
    rows = db.session.execute(
        select(ChatwootInteraction.event, ChatwootInteraction.direction, ChatwootInteraction.conversation_id,
               ChatwootInteraction.chatwoot_contact_id)
        .where(ChatwootInteraction.tenant_id == tenant_id, ChatwootInteraction.created_at >= start,
               ChatwootInteraction.created_at < end)).tuples().all()
    figures = DayFigures(day)
    conversations, contacts = set(), set()
    for event, direction, conversation_id, contact_id in rows:
        if event == MESSAGE and direction == "incoming":
            figures.messages_in += 1
            conversations.add(conversation_id)
            contacts.add(contact_id)
        elif direction == "outgoing" and event in OUT_EVENTS:
            figures.messages_out += 1
    conversations.discard(None)
    contacts.discard(None)
    started = {k: at for k, at in _firsts(tenant_id, ChatwootInteraction.conversation_id,
                                          sorted(conversations)).items() if start <= at < end}
    figures.response_seconds, figures.conversations_unanswered = _responses(tenant_id, started, start)
    new = {k: at for k, at in _firsts(tenant_id, ChatwootInteraction.chatwoot_contact_id,
                                      sorted(contacts)).items() if start <= at < end}
    figures.new_customers = len(new)
    figures.booked_within_7d, figures.booked_new_clients = _bookings(tenant_id, new)
    return figures
