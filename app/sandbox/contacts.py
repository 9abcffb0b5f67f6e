"""Contact rules: validation, create/update, contact inboxes and merging (`ContactMergeAction`)."""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from .errors import RecordInvalid, not_found, param_missing
from .formats import as_text, blank, ruby_bool, ruby_int
from .records import EMAIL, SMS, WHATSAPP, Contact, ContactInbox, Inbox
from .state import SimulatorState

PHONE_RE = re.compile(r"\+[1-9][0-9]{1,14}\Z")  # no start anchor, exactly like Chatwoot's model
EMAIL_RE = re.compile(r"\A[^@\s]+@[^@\s]+\Z")
WHATSAPP_SOURCE_RE = re.compile(r"\A(?:[0-9]{1,15}|[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128})\Z")
WHATSAPP_SOURCE_ERROR = "Source invalid source id for whatsapp inbox. valid Regex (?-mix:^\\d{1,15}\\z)"
TEXT_FIELDS = ("name", "email", "phone_number", "identifier")
HASH_FIELDS = ("additional_attributes", "custom_attributes")
MERGE_FIELDS = ("name", "email", "phone_number", "identifier")


def contact_params(params: dict[str, Any]) -> dict[str, Any]:
    """The permitted contact fields that were sent (Rails wraps a flat body into `contact`)."""
    source = params["contact"] if isinstance(params.get("contact"), dict) else params
    fields: dict[str, Any] = {key: as_text(source[key]) for key in TEXT_FIELDS if key in source}
    if "name" in fields and fields["name"] is None:
        fields["name"] = ""
    if fields.get("email"):
        fields["email"] = fields["email"].lower()
    if "blocked" in source:
        fields["blocked"] = ruby_bool(source["blocked"])
    fields.update({key: source[key] for key in HASH_FIELDS if isinstance(source.get(key), dict)})
    return fields


def validate_contact(state: SimulatorState, account_id: int, fields: dict[str, Any],
                     own_id: int | None) -> None:
    """Run the Contact model validations in model order: email, identifier, phone number."""
    others = [c for c in state.db.contacts.values() if c.account_id == account_id and c.id != own_id]
    email, identifier, phone = fields.get("email"), fields.get("identifier"), fields.get("phone_number")
    errors: list[tuple[str, str]] = []
    if not blank(email):
        if any(c.email and c.email.lower() == email.lower() for c in others):
            errors.append(("email", "Email has already been taken"))
        if not EMAIL_RE.search(email):
            errors.append(("email", "Email Invalid email"))
    if not blank(identifier) and any(c.identifier == identifier for c in others):
        errors.append(("identifier", "Identifier has already been taken"))
    if not blank(phone):
        if any(c.phone_number == phone for c in others):
            errors.append(("phone_number", "Phone number has already been taken"))
        if not PHONE_RE.search(phone):
            errors.append(("phone_number", "Phone number should be in e164 format"))
    if errors:
        raise RecordInvalid(errors)


def insert_contact(state: SimulatorState, account_id: int, fields: dict[str, Any],
                   contact_id: int | None = None) -> Contact:
    """Store a contact without validation (fixtures use this directly)."""
    now = state.now()
    contact = Contact(id=contact_id or state.db.allocate("contacts"), account_id=account_id,
                      name=fields.get("name") or "", email=fields.get("email"),
                      phone_number=fields.get("phone_number"), identifier=fields.get("identifier"),
                      created_at=now, updated_at=now, blocked=bool(fields.get("blocked", False)),
                      additional_attributes=dict(fields.get("additional_attributes") or {}),
                      custom_attributes=dict(fields.get("custom_attributes") or {}))
    state.db.contacts[contact.id] = contact
    return contact


def create_contact(state: SimulatorState, account_id: int,
                   params: dict[str, Any]) -> tuple[Contact, ContactInbox | None]:
    """`POST /contacts`: validate, then build the optional contact inbox; nothing is saved on error."""
    fields = contact_params(params)
    validate_contact(state, account_id, fields, None)
    inbox = None
    if not blank(params.get("inbox_id")):
        inbox = state.inbox_in(account_id, ruby_int(params["inbox_id"]))
        if inbox is None:
            raise not_found()
    draft = Contact(0, account_id, fields.get("name") or "", fields.get("email"), fields.get("phone_number"),
                    fields.get("identifier"), 0.0, 0.0)
    source_id = resolve_source_id(draft, inbox, params.get("source_id")) if inbox else None
    contact = insert_contact(state, account_id, fields)
    link = insert_contact_inbox(state, contact.id, inbox.id, source_id) if inbox and source_id else None
    state.emit_contact("contact_created", contact)
    return contact, link


def update_contact(state: SimulatorState, contact: Contact, params: dict[str, Any]) -> Contact:
    """`PUT /contacts/{id}`: assign sent fields, shallow-merge the attribute hashes, validate."""
    fields = contact_params(params)
    for key in HASH_FIELDS:
        if key in fields:
            fields[key] = {**getattr(contact, key), **fields[key]}
    merged = {key: fields.get(key, getattr(contact, key)) for key in ("email", "identifier", "phone_number")}
    validate_contact(state, contact.account_id, merged, contact.id)
    apply_changes(state, contact, fields)
    return contact


def apply_changes(state: SimulatorState, contact: Contact, fields: dict[str, Any]) -> None:
    """Assign fields and fire `contact_updated` with Rails-style changed attributes when anything changed."""
    changed = []
    for key, value in fields.items():
        previous = getattr(contact, key)
        if previous != value:
            changed.append({key: {"previous_value": previous, "current_value": value}})
            setattr(contact, key, value)
    if changed:
        state.touch_contact(contact, changed)


def destroy_custom_attributes(state: SimulatorState, contact: Contact, keys: Any) -> Contact:
    """`POST /contacts/{id}/destroy_custom_attributes`: drop the listed keys."""
    names = {str(key) for key in keys} if isinstance(keys, list) else set()
    remaining = {k: v for k, v in contact.custom_attributes.items() if k not in names}
    apply_changes(state, contact, {"custom_attributes": remaining})
    return contact


def resolve_source_id(contact: Contact, inbox: Inbox, source_id: Any) -> str:
    """`ContactInboxBuilder`: the given source id, or one derived from the channel; validated for WhatsApp."""
    value = as_text(source_id) if not blank(source_id) else _generated_source_id(contact, inbox)
    if inbox.channel_type == WHATSAPP and not WHATSAPP_SOURCE_RE.search(value):
        raise RecordInvalid([("source_id", WHATSAPP_SOURCE_ERROR)])
    return value


def _generated_source_id(contact: Contact, inbox: Inbox) -> str:
    """WhatsApp: phone without '+'; SMS: phone; email: address; API and website: a UUID."""
    if inbox.channel_type in (WHATSAPP, SMS):
        if blank(contact.phone_number):
            raise param_missing("contact phone number")
        phone = contact.phone_number
        return phone.replace("+", "") if inbox.channel_type == WHATSAPP else phone
    if inbox.channel_type == EMAIL:
        if blank(contact.email):
            raise param_missing("contact email")
        return contact.email
    return str(uuid.uuid4())


def insert_contact_inbox(state: SimulatorState, contact_id: int, inbox_id: int,
                         source_id: str) -> ContactInbox:
    """Store a contact inbox link."""
    link = ContactInbox(id=state.db.allocate("contact_inboxes"), contact_id=contact_id, inbox_id=inbox_id,
                        source_id=source_id, created_at=state.now(), pubsub_token=secrets.token_hex(12))
    state.db.add_link(link)
    return link


def find_or_create_link(state: SimulatorState, contact: Contact, inbox: Inbox,
                        source_id: Any) -> ContactInbox:
    """Reuse the contact's link to the inbox (API/website: any link when no source id was given)."""
    if blank(source_id) and inbox.channel_type not in (WHATSAPP, SMS, EMAIL):
        existing = state.find_contact_inbox(contact.id, inbox.id, None)
        if existing is not None:
            return existing
    resolved = resolve_source_id(contact, inbox, source_id)
    existing = state.find_contact_inbox(contact.id, inbox.id, resolved)
    return existing or insert_contact_inbox(state, contact.id, inbox.id, resolved)


def contactable_inboxes(state: SimulatorState, contact: Contact) -> list[tuple[Inbox, str]]:
    """Inboxes the contact can be reached through, with the source id each would use."""
    found = []
    for inbox in sorted(state.db.inboxes.values(), key=lambda item: item.id):
        if inbox.account_id != contact.account_id:
            continue
        link = state.find_contact_inbox(contact.id, inbox.id, None)
        source_id = link.source_id if link else _reachable_source(contact, inbox)
        if source_id:
            found.append((inbox, source_id))
    return found


def _reachable_source(contact: Contact, inbox: Inbox) -> str | None:
    """The source id a new link would get, or None when the channel cannot reach the contact."""
    if inbox.channel_type in (WHATSAPP, SMS, EMAIL):
        needed = contact.email if inbox.channel_type == EMAIL else contact.phone_number
        return _generated_source_id(contact, inbox) if not blank(needed) else None
    return str(uuid.uuid4()) if inbox.channel_type != "Channel::WebWidget" else None


def merge_contacts(state: SimulatorState, account_id: int, base_id: Any, mergee_id: Any) -> Contact:
    """`ContactMergeAction`: move the mergee's records to the base, delete it, merge (base wins)."""
    base = state.contact_in(account_id, ruby_int(base_id))
    mergee = state.contact_in(account_id, ruby_int(mergee_id))
    if base is None or mergee is None:
        raise not_found()
    if base.id == mergee.id:
        return base
    _move_records(state, mergee.id, base.id)
    del state.db.contacts[mergee.id]
    fields = {key: getattr(base, key) if not blank(getattr(base, key)) else getattr(mergee, key)
              for key in MERGE_FIELDS}
    for key in HASH_FIELDS:
        fields[key] = deep_merge(getattr(mergee, key), getattr(base, key))
    apply_changes(state, base, fields)
    return base


def _move_records(state: SimulatorState, from_id: int, to_id: int) -> None:
    """Re-point contact inboxes, conversations and contact-sent messages."""
    state.db.move_links(from_id, to_id)
    for conversation in state.db.conversations.values():
        if conversation.contact_id == from_id:
            conversation.contact_id = to_id
    for message in state.db.messages.values():
        if message.sender_type == "Contact" and message.sender_id == from_id:
            message.sender_id = to_id


def deep_merge(under: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """ActiveSupport `deep_merge`: nested hashes merge, `over` wins on conflicts."""
    merged = dict(under)
    for key, value in over.items():
        both_hashes = isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = deep_merge(merged[key], value) if both_hashes else value
    return merged
