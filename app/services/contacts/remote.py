"""Reaching a person in Chatwoot: find or create their contact, reuse or open a conversation, post."""

from __future__ import annotations

from sqlalchemy import select

from app.chatwoot.client import ChatwootClient
from app.chatwoot.errors import ChatwootConfigError, ChatwootNotFound, ChatwootValidationError
from app.chatwoot.settings import require_settings
from app.chatwoot.types import Contact, Conversation, SendResult
from app.extensions import db
from app.models import Client
from app.phone import Phone, PhoneError, canonical_phone, parse_phone
from app.services.contacts.interactions import log_sent_message
from app.services.contacts.matching import tenant_region

OPEN_STATUSES = ("open", "pending", "snoozed")


def preferred_contacts(contacts: list[Contact], key: str) -> list[Contact]:
    """Contacts of one person, best first: the one stored exactly as our key, then the oldest (lowest id)."""
    return sorted(contacts, key=lambda c: (c.phone_number != key, int(c.id) if c.id.isdigit() else 0))


def find_contact_for_phone(api: ChatwootClient, phone: Phone) -> Contact | None:
    """One targeted search by the number's tail; keeps contacts whose phone is the same person."""
    page = api.search_contacts(phone.search_digits())
    same = [c for c in page.contacts
            if c.phone_number and canonical_phone(c.phone_number, phone.region) == phone.key]
    return next(iter(preferred_contacts(same, phone.key)), None)


def ensure_contact(api: ChatwootClient, phone: Phone, name: str, email: str | None = None,
                   inbox_id: str | None = None) -> tuple[Contact, bool]:
    """(contact, created): search first; create only when missing (in the inbox when given); a 422 'taken'
    means search again."""
    found = find_contact_for_phone(api, phone)
    if found:
        return found, False
    try:
        return api.create_contact(name=name or phone.key, phone_number=phone.key, email=email,
                                  inbox_id=inbox_id), True
    except ChatwootValidationError as exc:
        if not exc.already_taken:
            raise
        found = find_contact_for_phone(api, phone)
        if found is None:
            raise
        return found, False


def open_conversation(api: ChatwootClient, contact_id: str, inbox_id: str) -> tuple[Conversation, bool]:
    """(conversation, created): the contact's newest open conversation in the inbox, else a new one."""
    candidates = [c for c in api.contact_conversations(contact_id)
                  if c.inbox_id == str(inbox_id) and c.status in OPEN_STATUSES]
    if candidates:
        return max(candidates, key=lambda c: int(c.id) if c.id.isdigit() else 0), False
    return api.create_conversation(inbox_id=inbox_id, contact_id=contact_id), True


def linked_contact(api: ChatwootClient, client: Client | None) -> Contact | None:
    """The client's stored contact, or None when it was merged or deleted in Chatwoot (404)."""
    if client is None or not client.chatwoot_contact_id:
        return None
    try:
        return api.get_contact(client.chatwoot_contact_id)
    except ChatwootNotFound:
        return None


def send_text_to_phone(tenant_id: str, to: str, message: str) -> SendResult:
    """Send a text now (test messages, the seed's sendMessageToContact)."""
    settings = require_settings(tenant_id)
    if not settings.inbox_id:
        raise ChatwootConfigError("no Chatwoot inbox configured for sending")
    if not (message or "").strip():
        return SendResult(success=False, error="message is empty")
    try:
        phone = parse_phone(to, tenant_region(tenant_id))
    except PhoneError as exc:
        return SendResult(success=False, error=str(exc))
    api = ChatwootClient.from_settings(settings)
    client = db.session.scalar(select(Client).where(Client.tenant_id == tenant_id, Client.phone_e164 == phone.key)
                               .order_by(Client.id).limit(1))
    contact = linked_contact(api, client)
    if contact is None:
        contact, _ = ensure_contact(api, phone, client.full_name if client else phone.key)
    conversation, _ = open_conversation(api, contact.id, settings.inbox_id)
    sent = api.create_message(conversation.id, message)
    log_sent_message(tenant_id, "test_message", client_id=client.id if client else None, contact_id=contact.id,
                     conversation_id=conversation.id, message_id=sent.id, content=message, phone=phone.key,
                     status=sent.status)
    return SendResult(success=True, conversation_id=conversation.id, message_id=sent.id, contact_id=contact.id)
