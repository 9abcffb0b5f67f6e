"""A customer writes on WhatsApp: what Meta's webhook makes Chatwoot do (the simulator's control surface).

Chatwoot's public API refuses incoming messages outside API inboxes (422), so this path is the simulator's
own: it follows `Whatsapp::IncomingMessageService` and `ContactInboxWithContactBuilder` instead.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from .contacts import insert_contact, insert_contact_inbox
from .conversations import receive_on_link
from .records import WHATSAPP, Contact, ContactInbox, Inbox, Message
from .state import SimulatorState

_ADJECTIVES = ("autumn", "hidden", "bitter", "misty", "silent", "empty", "dry", "dark", "summer", "icy")
_NOUNS = ("waterfall", "river", "breeze", "moon", "rain", "wind", "sea", "morning", "snow", "lake")


class InboundError(ValueError):
    """The simulated customer message cannot be delivered (unknown inbox, bad number, empty text)."""


@dataclass(frozen=True)
class Inbound:
    """Where a customer's message landed."""

    account_id: int
    inbox_id: int
    contact_id: int
    conversation_id: int
    message_id: int
    new_contact: bool


def whatsapp_inbox(state: SimulatorState, account_id: int, inbox_id: int | None) -> Inbox:
    """The given WhatsApp inbox of the account, else its first one."""
    if account_id not in state.db.accounts:
        raise InboundError(f"no account {account_id} in the simulator")
    if inbox_id is not None:
        inbox = state.inbox_in(account_id, inbox_id)
        if inbox is None or inbox.channel_type != WHATSAPP:
            raise InboundError(f"inbox {inbox_id} is not a WhatsApp inbox of account {account_id}")
        return inbox
    found = sorted((i for i in state.db.inboxes.values() if i.account_id == account_id
                    and i.channel_type == WHATSAPP), key=lambda inbox: inbox.id)
    if not found:
        raise InboundError(f"account {account_id} has no WhatsApp inbox")
    return found[0]


def wa_id(phone: str) -> str:
    """WhatsApp's sender id: the international number, digits only (what Meta sends as `wa_id`)."""
    digits = re.sub(r"[\s().\-+]", "", phone or "")
    if not digits.isdigit() or digits.startswith("0") or not 8 <= len(digits) <= 15:
        raise InboundError(f"not an international phone number: {phone!r} (e.g. +52 55 1234 5678)")
    return digits


def customer_writes(state: SimulatorState, account_id: int, phone: str, text: str, name: str | None = None,
                    inbox_id: int | None = None) -> Inbound:
    """Store the customer's message on the WhatsApp inbox (contact and conversation found or created)."""
    if not (text or "").strip():
        raise InboundError("the message text is empty")
    inbox = whatsapp_inbox(state, account_id, inbox_id)
    source_id = wa_id(phone)
    link = _existing_link(state, inbox, source_id)
    new_contact = False
    if link is None:
        contact, new_contact = _contact_for(state, account_id, source_id, name)
        link = insert_contact_inbox(state, contact.id, inbox.id, source_id)
    message: Message = receive_on_link(state, link, inbox, text.strip())
    return Inbound(account_id, inbox.id, link.contact_id, message.conversation_id, message.id, new_contact)


def _existing_link(state: SimulatorState, inbox: Inbox, source_id: str) -> ContactInbox | None:
    """The contact inbox with that WhatsApp id (first step of the builder)."""
    return next((link for link in state.db.contact_inboxes.values()
                 if link.inbox_id == inbox.id and link.source_id == source_id), None)


def _contact_for(state: SimulatorState, account_id: int, source_id: str,
                 name: str | None) -> tuple[Contact, bool]:
    """The account's contact with exactly "+wa_id", else a new one (profile name, else a haikunator name)."""
    phone = "+" + source_id
    existing = next((c for c in state.db.contacts.values()
                     if c.account_id == account_id and c.phone_number == phone), None)
    if existing is not None:
        return existing, False
    label = (name or "").strip() or _haikunate()
    contact = insert_contact(state, account_id, {"name": label, "phone_number": phone})
    state.emit_contact("contact_created", contact)
    return contact, True


def _haikunate() -> str:
    """A random "adjective-noun-1234" name, as Chatwoot gives contacts it knows no name for."""
    pick = secrets.choice
    return f"{pick(_ADJECTIVES)}-{pick(_NOUNS)}-{secrets.randbelow(9000) + 1000}"
