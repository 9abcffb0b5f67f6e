"""Reading Chatwoot webhook bodies: the real v4.15.1 shapes and the seed's simplified example.

Every reader is total: any JSON value goes in, a value or None comes out, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

MAX_ID_LENGTH = 40
MESSAGE_EVENTS = frozenset({"message_created", "message_updated"})
CONVERSATION_EVENTS = frozenset({"conversation_created", "conversation_updated", "conversation_status_changed"})
CONTACT_EVENTS = frozenset({"contact_created", "contact_updated"})
PROCESSED_EVENTS = MESSAGE_EVENTS | CONVERSATION_EVENTS | CONTACT_EVENTS
# Known Chatwoot events that carry nothing for us (typing, widget opened, inbox settings).
NOISE_EVENTS = frozenset({"conversation_typing_on", "conversation_typing_off", "webwidget_triggered",
                          "inbox_created", "inbox_updated"})
# Integer message_type inside conversation.messages[] (and API answers).
MESSAGE_TYPES = {0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}
PHONE_CHANNELS = ("Channel::Whatsapp", "Channel::TwilioSms", "Channel::Sms")
CONTACT_NOISE_KEYS = frozenset({"last_activity_at", "updated_at"})


@dataclass(frozen=True)
class ContactInfo:
    """A Chatwoot contact as far as a payload tells: any field may be missing."""

    id: str | None
    name: str | None = None
    phone: str | None = None
    email: str | None = None


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_id(value: Any) -> str | None:
    """A Chatwoot id (integer or digit string) as a string; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    return text if text.isdigit() and text.isascii() and len(text) <= MAX_ID_LENGTH else None


def as_text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def event_name(payload: Any) -> str | None:
    return as_text(as_dict(payload).get("event"))


def conversation_of(payload: dict) -> dict:
    """The conversation object: nested in message events, the top level of conversation events."""
    if event_name(payload) in CONVERSATION_EVENTS:
        return payload
    return as_dict(payload.get("conversation"))


def latest_message(payload: dict) -> dict:
    """conversation.messages[0]: the latest non-private message, in push format (integer type)."""
    messages = conversation_of(payload).get("messages")
    return as_dict(messages[0]) if isinstance(messages, list) and messages else {}


def account_id(payload: dict) -> str | None:
    """account.id; older servers omit it on some conversation events, so look in the messages too."""
    return _first_id(lambda: as_dict(payload.get("account")).get("id"),
                     lambda: as_dict(conversation_of(payload).get("account")).get("id"),
                     lambda: latest_message(payload).get("account_id"), lambda: payload.get("account_id"))


def inbox_id(payload: dict) -> str | None:
    return _first_id(lambda: as_dict(payload.get("inbox")).get("id"), lambda: payload.get("inbox_id"),
                     lambda: conversation_of(payload).get("inbox_id"),
                     lambda: latest_message(payload).get("inbox_id"))


def _first_id(*places: Callable[[], Any]) -> str | None:
    """The first place holding an id, looked at in order (the webhook acknowledgement reads these: most
    deliveries stop at the first place)."""
    for place in places:
        if (found := as_id(place())) is not None:
            return found
    return None


def message_id(payload: dict) -> str | None:
    return as_id(payload.get("id")) if event_name(payload) in MESSAGE_EVENTS else None


def conversation_id(payload: dict) -> str | None:
    if event_name(payload) in CONVERSATION_EVENTS:
        return as_id(payload.get("id"))
    return as_id(as_dict(payload.get("conversation")).get("id")) or as_id(payload.get("conversation_id"))


def conversation_assigned(payload: dict) -> bool:
    """Whether the message's conversation already has an agent (`assignee_id` or `meta.assignee`)."""
    conversation = as_dict(payload.get("conversation"))
    return bool(conversation.get("assignee_id") or as_dict(conversation.get("meta")).get("assignee"))


def direction(payload: dict) -> str | None:
    """incoming / outgoing / template / activity, from the string or the integer message_type."""
    kind = payload.get("message_type")
    if isinstance(kind, str):
        return kind.strip().lower() or None
    if isinstance(kind, int) and not isinstance(kind, bool):
        return MESSAGE_TYPES.get(kind)
    return None


def sender_kind(payload: dict) -> str:
    """"person" for an agent's message (sender type user) or the salon's phone app (a WhatsApp echo, no
    sender); "automatic" for agent bots, Captain and automations."""
    sender = payload.get("sender")
    if isinstance(sender, dict):
        return "person" if sender.get("type") == "user" else "automatic"
    echo = as_dict(payload.get("content_attributes")).get("external_echo") is True
    return "person" if echo else "automatic"


def is_private(payload: dict) -> bool:
    return payload.get("private") is True


def content(payload: dict) -> str | None:
    return as_text(payload.get("content"))


def _contact(data: dict) -> ContactInfo | None:
    contact_id = as_id(data.get("id"))
    if contact_id is None:
        return None
    return ContactInfo(contact_id, as_text(data.get("name")), as_text(data.get("phone_number")),
                       as_text(data.get("email")))


def _merge(candidates: list[dict]) -> ContactInfo | None:
    """The first contact found, completed with fields the other copies of the same contact carry."""
    found = [c for c in (_contact(d) for d in candidates) if c is not None]
    if not found:
        return None
    first, same = found[0], [c for c in found if c.id == found[0].id]
    return ContactInfo(first.id, next((c.name for c in same if c.name), None),
                       next((c.phone for c in same if c.phone), None), next((c.email for c in same if c.email), None))


def message_contact(payload: dict) -> ContactInfo | None:
    """The customer of a message event: sender (incoming), conversation.meta.sender, or the seed's contact."""
    conversation = as_dict(payload.get("conversation"))
    candidates = [as_dict(as_dict(conversation.get("meta")).get("sender")), as_dict(conversation.get("contact"))]
    sender = as_dict(payload.get("sender"))
    if direction(payload) == "incoming" and sender.get("type") in (None, "contact"):
        candidates.insert(0, sender)
    return _merge(candidates)


def conversation_contact(payload: dict) -> ContactInfo | None:
    """The customer of a conversation event; WhatsApp/SMS also name the number in contact_inbox.source_id."""
    contact = _merge([as_dict(as_dict(payload.get("meta")).get("sender")), as_dict(payload.get("contact"))])
    if contact is None or contact.phone or payload.get("channel") not in PHONE_CHANNELS:
        return contact
    source = as_text(as_dict(payload.get("contact_inbox")).get("source_id")) or ""
    source = source.removeprefix("whatsapp:").lstrip("+")
    phone = "+" + source if source.isdigit() and source.isascii() else None
    return ContactInfo(contact.id, contact.name, phone, contact.email)


def event_contact(payload: dict) -> ContactInfo | None:
    """The contact of contact_created / contact_updated (the top level)."""
    return _contact(payload)


def message_status(payload: dict) -> str | None:
    """The message's delivery status: only visible in conversation.messages[0] when it is this message."""
    latest = latest_message(payload)
    if as_id(latest.get("id")) is None or as_id(latest.get("id")) != message_id(payload):
        return as_text(payload.get("status"))
    return as_text(latest.get("status"))


def external_error(payload: dict) -> str | None:
    """content_attributes.external_error: the channel's reason for a failed message."""
    error = as_dict(payload.get("content_attributes")).get("external_error")
    latest = latest_message(payload)
    if not error and as_id(latest.get("id")) == message_id(payload):
        error = as_dict(latest.get("content_attributes")).get("external_error")
    if isinstance(error, str):
        return as_text(error)
    return str(error)[:500] if error else None


def changed_keys(payload: dict) -> set[str]:
    """Attribute names in changed_attributes: an array of one-key objects, or null."""
    changed = payload.get("changed_attributes")
    items = changed if isinstance(changed, list) else [changed] if isinstance(changed, dict) else []
    return {key for item in items if isinstance(item, dict) for key in item if isinstance(key, str)}


def changed_value(payload: dict, key: str) -> tuple[Any, Any] | None:
    """(previous_value, current_value) of one changed attribute, or None."""
    changed = payload.get("changed_attributes")
    for item in changed if isinstance(changed, list) else []:
        change = as_dict(as_dict(item).get(key))
        if change:
            return change.get("previous_value"), change.get("current_value")
    return None


def is_contact_noise(payload: dict) -> bool:
    """contact_updated that only bumps last_activity_at (fired on every inbound message)."""
    keys = changed_keys(payload)
    return event_name(payload) == "contact_updated" and bool(keys) and keys <= CONTACT_NOISE_KEYS


def parse_time(value: Any) -> datetime | None:
    """Epoch seconds (int or float) or an ISO-8601 string as an aware UTC datetime; else None."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC) if math.isfinite(value) and 0 < value < 1e11 else None
        if isinstance(value, str) and 10 <= len(value) <= 40:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def event_time(payload: dict, now: datetime) -> datetime:
    """When the thing happened (message created_at, conversation updated_at), never after now + 5 min."""
    if event_name(payload) in MESSAGE_EVENTS:
        candidates = (payload.get("created_at"), latest_message(payload).get("created_at"))
    else:
        candidates = (payload.get("updated_at"), payload.get("timestamp"))
    for candidate in candidates:
        parsed = parse_time(candidate)
        if parsed is not None and parsed <= now + timedelta(minutes=5):
            return parsed
    return now
