"""Conversation rules: `ConversationBuilder`, lock to single conversation, status, incoming traffic."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from .contacts import find_or_create_link
from .errors import NOT_AUTHORIZED, ApiError, not_found, unauthorized, unprocessable
from .formats import as_text, blank, iso_ms, ruby_int
from .messages import after_create, create_message, insert_message, validate_new_message
from .records import (
    CONVERSATION_STATUSES,
    INCOMING,
    WHATSAPP,
    ContactInbox,
    Conversation,
    Inbox,
    Message,
    User,
)
from .state import SimulatorState


def authorize_inbox(user: User, inbox: Inbox) -> None:
    """Pundit: administrators and bots pass, agents only for inboxes they are members of (401 otherwise)."""
    if not (user.is_bot or user.is_admin or user.token in inbox.members):
        raise unauthorized(NOT_AUTHORIZED)


def conversation_fields(params: dict[str, Any]) -> dict[str, Any]:
    """The optional conversation attributes a create request may set."""
    status = params.get("status")
    if not blank(status) and status not in CONVERSATION_STATUSES:
        raise unprocessable(f"'{status}' is not a valid status")
    fields: dict[str, Any] = {"status": status or "open", "assignee_id": ruby_int(params.get("assignee_id"))}
    for key in ("custom_attributes", "additional_attributes"):
        if isinstance(params.get(key), dict):
            fields[key] = dict(params[key])
    if fields["status"] == "snoozed":
        fields["snoozed_until"] = ruby_int(params.get("snoozed_until"))
    return fields


def new_conversation(state: SimulatorState, link: ContactInbox,
                     fields: dict[str, Any] | None = None) -> Conversation:
    """Store a conversation with the next display id; `waiting_since` starts at creation."""
    inbox, now = state.db.inboxes[link.inbox_id], state.now()
    conversation = Conversation(
        display_id=state.next_display_id(inbox.account_id), account_id=inbox.account_id, inbox_id=inbox.id,
        contact_id=link.contact_id, contact_inbox_id=link.id, uuid=str(uuid.uuid4()), status="open",
        created_at=now, updated_at=now, last_activity_at=now, waiting_since=now)
    for key, value in (fields or {}).items():
        setattr(conversation, key, value)
    state.db.conversations[(conversation.account_id, conversation.display_id)] = conversation
    return conversation


def link_conversations(state: SimulatorState, link: ContactInbox) -> list[Conversation]:
    """The conversations of one contact inbox, oldest first."""
    found = [c for c in state.db.conversations.values() if c.contact_inbox_id == link.id]
    return sorted(found, key=lambda conversation: conversation.display_id)


def _resolve_link(state: SimulatorState, account_id: int,
                  params: dict[str, Any]) -> tuple[ContactInbox, Inbox]:
    """Contact + inbox → find or create the contact inbox; without them, look the source id up."""
    if blank(params.get("contact_id")) or blank(params.get("inbox_id")):
        source_id = as_text(params.get("source_id"))
        link = next((ci for ci in state.db.contact_inboxes.values() if source_id and ci.source_id == source_id
                     and state.db.inboxes[ci.inbox_id].account_id == account_id), None)
        if link is None:
            raise not_found()
        return link, state.db.inboxes[link.inbox_id]
    contact = state.contact_in(account_id, ruby_int(params["contact_id"]))
    inbox = state.inbox_in(account_id, ruby_int(params["inbox_id"]))
    if contact is None or inbox is None:
        raise not_found()
    return find_or_create_link(state, contact, inbox, params.get("source_id")), inbox


def create_conversation(state: SimulatorState, user: User, account_id: int,
                        params: dict[str, Any]) -> tuple[Conversation, Message | None]:
    """`POST /conversations`; the optional first message is validated first and returned undelivered."""
    link, inbox = _resolve_link(state, account_id, params)
    authorize_inbox(user, inbox)
    fields = conversation_fields(params)
    existing = link_conversations(state, link)[-1:] if inbox.lock_to_single_conversation else []
    message_params = params.get("message") if isinstance(params.get("message"), dict) else None
    if message_params:
        validate_new_message(state, existing[0] if existing else None, inbox, message_params)
    conversation = existing[0] if existing else new_conversation(state, link, fields)
    if not existing:
        state.emit_conversation("conversation_created", conversation)
    if not message_params:
        return conversation, None
    message, _ = create_message(state, conversation, message_params, sender_of(user), not existing, False)
    return conversation, message


def sender_of(user: User) -> tuple[str, int]:
    """The `sender_type`/`sender_id` pair of a user or agent bot."""
    return ("AgentBot" if user.is_bot else "User", user.id)


def toggle_status(state: SimulatorState, conversation: Conversation,
                  params: dict[str, Any]) -> dict[str, Any]:
    """`POST …/toggle_status`: set the given status, or flip open ↔ resolved when none is given."""
    status = params.get("status")
    if blank(status):
        status = "resolved" if conversation.status == "open" else "open"
    elif status not in CONVERSATION_STATUSES:
        raise unprocessable(f"'{status}' is not a valid status")
    snoozed = ruby_int(params.get("snoozed_until")) if status == "snoozed" else None
    state.change_conversation(conversation, {"status": status, "snoozed_until": snoozed})
    return {"meta": {}, "payload": {"success": True, "conversation_id": conversation.display_id,
                                    "current_status": conversation.status,
                                    "snoozed_until": iso_ms(conversation.snoozed_until)}}


def conversation_for_incoming(state: SimulatorState, link: ContactInbox,
                              inbox: Inbox) -> tuple[Conversation, bool]:
    """Where an inbound message lands: the last conversation (locked inbox) or the last unresolved one."""
    conversations = link_conversations(state, link)
    if not inbox.lock_to_single_conversation:
        conversations = [c for c in conversations if c.status != "resolved"]
    if conversations:
        return conversations[-1], False
    conversation = new_conversation(state, link)
    state.emit_conversation("conversation_created", conversation)
    return conversation, True


def receive_incoming(state: SimulatorState, account_id: int, inbox_id: int, contact_id: int, content: str,
                     source_id: str | None = None) -> Message:
    """A customer writes through the channel (fixture path, no API call)."""
    inbox, contact = state.inbox_in(account_id, inbox_id), state.contact_in(account_id, contact_id)
    if inbox is None or contact is None:
        raise KeyError(f"no inbox {inbox_id} or contact {contact_id} in account {account_id}")
    try:
        link = find_or_create_link(state, contact, inbox, None)
    except ApiError as error:
        raise ValueError(f"contact {contact_id} cannot write to inbox {inbox_id}: {error.body}") from error
    return receive_on_link(state, link, inbox, content, source_id)


def receive_on_link(state: SimulatorState, link: ContactInbox, inbox: Inbox, content: str,
                    source_id: str | None = None) -> Message:
    """The contact of `link` writes through its channel: conversation found or opened, message stored."""
    conversation, fresh = conversation_for_incoming(state, link, inbox)
    if source_id is None and inbox.channel_type == WHATSAPP:
        source_id = "wamid." + secrets.token_urlsafe(24)
    message = insert_message(state, conversation, content=content, message_type=INCOMING,
                             sender_type="Contact", sender_id=link.contact_id, source_id=source_id)
    after_create(state, conversation, message, fresh)
    return message
