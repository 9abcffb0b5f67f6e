"""The simulator's tables, id allocation, lookups and derived conversation facts."""

from __future__ import annotations

import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .formats import iso_ms
from .records import (
    ACTIVITY,
    INCOMING,
    WHATSAPP,
    Account,
    AttributeDefinition,
    CannedResponse,
    Contact,
    ContactInbox,
    Conversation,
    Inbox,
    Message,
    Team,
    User,
    Webhook,
)

if TYPE_CHECKING:
    from .store import StateFile

WHATSAPP_WINDOW_SECONDS = 24 * 60 * 60
TIME_KEYS = ("snoozed_until", "waiting_since", "first_reply_created_at", "last_activity_at", "updated_at")
_ALPHABET = string.ascii_letters + string.digits


def random_token(length: int = 24) -> str:
    """A random alphanumeric token like the ones Rails' `has_secure_token` makes."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def next_id(table: dict[int, object]) -> int:
    """The next free integer id of a table (explicit ids in fixtures stay allowed)."""
    return max(table, default=0) + 1


@dataclass
class Tables:
    """Every record the simulator holds; replaced wholesale by `reset()`."""

    accounts: dict[int, Account] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    inboxes: dict[int, Inbox] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    contact_inboxes: dict[int, ContactInbox] = field(default_factory=dict)
    conversations: dict[tuple[int, int], Conversation] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    webhooks: dict[int, Webhook] = field(default_factory=dict)
    attribute_definitions: dict[int, AttributeDefinition] = field(default_factory=dict)
    canned_responses: dict[int, CannedResponse] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    # Highest id ever handed out per table, like a PostgreSQL sequence: a deleted (merged) contact's id is
    # never given again, so links stored elsewhere never point at another record.
    sequences: dict[str, int] = field(default_factory=dict)
    # Lookup indexes, kept in step by `add_link`, `move_links` and `add_message`.
    links_by_contact: dict[int, list[int]] = field(default_factory=dict)
    messages_by_conversation: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    def allocate(self, name: str) -> int:
        """The next id of a table: above every id it holds and every id it ever handed out."""
        new_id = max(self.sequences.get(name, 0), next_id(getattr(self, name)) - 1) + 1
        self.sequences[name] = new_id
        return new_id

    def add_link(self, link: ContactInbox) -> None:
        """Store a contact inbox link."""
        self.contact_inboxes[link.id] = link
        self.links_by_contact.setdefault(link.contact_id, []).append(link.id)

    def move_links(self, from_id: int, to_id: int) -> None:
        """Re-point every link of one contact to another."""
        moved = self.links_by_contact.pop(from_id, [])
        for link_id in moved:
            self.contact_inboxes[link_id].contact_id = to_id
        self.links_by_contact[to_id] = sorted(self.links_by_contact.get(to_id, []) + moved)

    def add_message(self, message: Message) -> None:
        """Store a message."""
        self.messages[message.id] = message
        key = (message.account_id, message.conversation_id)
        self.messages_by_conversation.setdefault(key, []).append(message.id)


class SimulatorState:
    """Tables guarded by one re-entrant lock, plus a replaceable clock."""

    def __init__(self, clock: Callable[[], float] | None = None):
        self.lock = threading.RLock()
        self.clock: Callable[[], float] = clock or time.time
        self.db = Tables()
        self.channel_log: list[dict[str, Any]] = []
        self.state_file: StateFile | None = None

    def save(self) -> None:
        """Write the tables to the state file, when the simulator has one (tests' simulators live in memory)."""
        if self.state_file is not None:
            with self.lock:
                self.state_file.write(self.db)

    def now(self) -> float:
        """The simulator's current time (epoch seconds, float)."""
        return float(self.clock())

    def emit_contact(self, event: str, contact: Contact, changed: list[dict] | None = None) -> None:
        """Hook for contact events; the webhook layer overrides it."""

    def emit_conversation(self, event: str, conversation: Conversation,
                          changed: list[dict] | None = None) -> None:
        """Hook for conversation events; the webhook layer overrides it."""

    def emit_message(self, event: str, message: Message) -> None:
        """Hook for message events; the webhook layer overrides it."""

    def touch_contact(self, contact: Contact, changed: list[dict]) -> None:
        """Bump `updated_at` and fire `contact_updated` (Rails lists `updated_at` among the changes)."""
        previous, contact.updated_at = contact.updated_at, self.now()
        stamp = _change("updated_at", previous, contact.updated_at)
        self.emit_contact("contact_updated", contact, [*changed, stamp])

    def change_conversation(self, conversation: Conversation, changes: dict[str, Any],
                            emit: bool = True) -> bool:
        """Apply changes; fire `conversation_status_changed`/`conversation_updated` when anything differs."""
        changed = []
        for key, value in changes.items():
            previous = getattr(conversation, key)
            if previous != value:
                setattr(conversation, key, value)
                changed.append(_change(key, previous, value))
        if not changed:
            return False
        previous, conversation.updated_at = conversation.updated_at, self.now()
        changed.append(_change("updated_at", previous, conversation.updated_at))
        if emit and any("status" in change for change in changed):
            self.emit_conversation("conversation_status_changed", conversation, None)
        if emit:
            self.emit_conversation("conversation_updated", conversation, changed)
        return True

    def user_by_id(self, user_id: int | None) -> User | None:
        """The user or bot with that id."""
        return next((user for user in self.db.users.values() if user.id == user_id), None)

    def next_user_id(self) -> int:
        """The next free user id."""
        return max((user.id for user in self.db.users.values()), default=0) + 1

    def inbox_in(self, account_id: int, inbox_id: int | None) -> Inbox | None:
        """An inbox of the account."""
        inbox = self.db.inboxes.get(inbox_id) if inbox_id is not None else None
        return inbox if inbox and inbox.account_id == account_id else None

    def contact_in(self, account_id: int, contact_id: int | None) -> Contact | None:
        """A contact of the account."""
        contact = self.db.contacts.get(contact_id) if contact_id is not None else None
        return contact if contact and contact.account_id == account_id else None

    def conversation_in(self, account_id: int, display_id: int | None) -> Conversation | None:
        """A conversation of the account by display id."""
        return self.db.conversations.get((account_id, display_id)) if display_id is not None else None

    def next_display_id(self, account_id: int) -> int:
        """The next per-account conversation display id."""
        return max((key[1] for key in self.db.conversations if key[0] == account_id), default=0) + 1

    def contact_inboxes_of(self, contact_id: int) -> list[ContactInbox]:
        """The contact's inbox links, oldest first."""
        return [self.db.contact_inboxes[link_id] for link_id in self.db.links_by_contact.get(contact_id, [])]

    def find_contact_inbox(self, contact_id: int, inbox_id: int,
                           source_id: str | None) -> ContactInbox | None:
        """The contact's link to the inbox (with that source id when one is given)."""
        for link in self.contact_inboxes_of(contact_id):
            if link.inbox_id == inbox_id and source_id in (None, link.source_id):
                return link
        return None

    def conversation_messages(self, conversation: Conversation) -> list[Message]:
        """All messages of a conversation in id order."""
        key = (conversation.account_id, conversation.display_id)
        return [self.db.messages[message_id] for message_id in self.db.messages_by_conversation.get(key, [])]

    def last_chat_message(self, conversation: Conversation) -> Message | None:
        """The latest message that is neither a private note nor an activity (`messages.chat.last`)."""
        messages = self.conversation_messages(conversation)
        chat = [m for m in messages if not m.private and m.message_type != ACTIVITY]
        return chat[-1] if chat else None

    def last_non_activity_message(self, conversation: Conversation) -> Message | None:
        """The latest non-activity message, private notes included."""
        found = [m for m in self.conversation_messages(conversation) if m.message_type != ACTIVITY]
        return found[-1] if found else None

    def can_reply(self, conversation: Conversation) -> bool:
        """WhatsApp: the last incoming message is under 24 h old; other simulated channels: always."""
        inbox = self.db.inboxes[conversation.inbox_id]
        if inbox.channel_type != WHATSAPP:
            return True
        incoming = [m for m in self.conversation_messages(conversation) if m.message_type == INCOMING]
        return bool(incoming) and self.now() - incoming[-1].created_at < WHATSAPP_WINDOW_SECONDS

    def unread_count(self, conversation: Conversation) -> int:
        """Incoming messages an agent has not seen (agents never "see" in the simulator)."""
        seen = conversation.agent_last_seen_at or 0
        messages = self.conversation_messages(conversation)
        return sum(1 for m in messages if m.message_type == INCOMING and m.created_at > seen)


def _shown(key: str, value: Any) -> Any:
    """How a changed value appears in `changed_attributes` (times as ISO strings)."""
    return iso_ms(value) if key in TIME_KEYS and value is not None else value


def _change(key: str, previous: Any, current: Any) -> dict[str, Any]:
    """One `changed_attributes` entry: `{key: {previous_value, current_value}}`."""
    return {key: {"previous_value": _shown(key, previous), "current_value": _shown(key, current)}}
