"""Webhook payload shapes (`webhook_data` of messages, conversations and contacts at v4.15.1)."""

from __future__ import annotations

import re
from typing import Any

from .formats import epoch, iso_ms
from .records import MESSAGE_TYPE_NAMES, Contact, ContactInbox, Conversation, Message, User
from .state import SimulatorState
from .views import contact_push, message_push, user_push

_HARD_BREAK = re.compile(r"\\(\r?\n)")


def account_json(state: SimulatorState, account_id: int) -> dict[str, Any]:
    """The `{id, name}` account stamp of webhook payloads."""
    return {"id": account_id, "name": state.db.accounts[account_id].name}


def webhook_content(content: str | None) -> str | None:
    """Webhook content normalisation: markdown hard-break backslashes and trailing newlines go."""
    if content is None:
        return None
    return _HARD_BREAK.sub(r"\1", content).rstrip("\r\n")


def contact_webhook(state: SimulatorState, contact: Contact) -> dict[str, Any]:
    """`Contact#webhook_data`: contact events and the top-level sender of incoming messages (no type)."""
    return {"account": account_json(state, contact.account_id),
            "additional_attributes": contact.additional_attributes, "avatar": "",
            "custom_attributes": contact.custom_attributes, "email": contact.email, "id": contact.id,
            "identifier": contact.identifier, "name": contact.name, "phone_number": contact.phone_number,
            "thumbnail": "", "blocked": contact.blocked}


def user_webhook(user: User) -> dict[str, Any]:
    """`User#webhook_data` (agent bots: `{id, name, type}`)."""
    if user.is_bot:
        return {"id": user.id, "name": user.name, "type": "agent_bot"}
    return {"id": user.id, "name": user.name, "email": user.email, "type": "user"}


def contact_inbox_row(link: ContactInbox | None) -> dict[str, Any] | None:
    """The raw contact_inbox row inside conversation payloads."""
    if link is None:
        return None
    return {"id": link.id, "contact_id": link.contact_id, "inbox_id": link.inbox_id,
            "source_id": link.source_id,
            "created_at": iso_ms(link.created_at), "updated_at": iso_ms(link.created_at),
            "hmac_verified": False, "pubsub_token": link.pubsub_token}


def conversation_webhook(state: SimulatorState, conversation: Conversation) -> dict[str, Any]:
    """`Conversations::EventDataPresenter#webhook_data`: conversation events and `message.conversation`."""
    last = state.last_chat_message(conversation)
    return {
        "additional_attributes": conversation.additional_attributes,
        "can_reply": state.can_reply(conversation),
        "channel": state.db.inboxes[conversation.inbox_id].channel_type,
        "contact_inbox": contact_inbox_row(state.db.contact_inboxes.get(conversation.contact_inbox_id)),
        "id": conversation.display_id, "inbox_id": conversation.inbox_id,
        "messages": [message_push(state, last)] if last else [], "labels": [],
        "meta": _webhook_meta(state, conversation), "status": conversation.status,
        "custom_attributes": conversation.custom_attributes,
        "snoozed_until": iso_ms(conversation.snoozed_until),
        "unread_count": state.unread_count(conversation),
        "first_reply_created_at": iso_ms(conversation.first_reply_created_at),
        "priority": conversation.priority,
        "waiting_since": epoch(conversation.waiting_since),
        "agent_last_seen_at": epoch(conversation.agent_last_seen_at),
        "contact_last_seen_at": epoch(conversation.contact_last_seen_at),
        "last_activity_at": epoch(conversation.last_activity_at),
        "timestamp": epoch(conversation.last_activity_at), "created_at": epoch(conversation.created_at),
        "updated_at": conversation.updated_at, "account": account_json(state, conversation.account_id),
    }


def _webhook_meta(state: SimulatorState, conversation: Conversation) -> dict[str, Any]:
    """The webhook conversation `meta`: contact push data (with type) and assignee push data."""
    assignee = state.user_by_id(conversation.assignee_id)
    return {"sender": contact_push(state.db.contacts[conversation.contact_id]),
            "assignee": user_push(assignee) if assignee else None,
            "assignee_type": "User" if assignee else None, "team": _team_push(state, conversation),
            "hmac_verified": False}


def _team_push(state: SimulatorState, conversation: Conversation) -> dict[str, Any] | None:
    """`Team#push_event_data`: id and name, or null."""
    team = state.db.teams.get(conversation.team_id) if conversation.team_id else None
    return {"id": team.id, "name": team.name} if team else None


def message_webhook(state: SimulatorState, message: Message) -> dict[str, Any]:
    """`Message#webhook_data`: string message_type, ISO created_at, no status."""
    conversation = state.db.conversations[(message.account_id, message.conversation_id)]
    inbox = state.db.inboxes[message.inbox_id]
    return {
        "account": account_json(state, message.account_id),
        "additional_attributes": message.additional_attributes,
        "content_attributes": message.content_attributes, "content_type": message.content_type,
        "content": webhook_content(message.content),
        "conversation": conversation_webhook(state, conversation),
        "created_at": iso_ms(message.created_at), "id": message.id,
        "inbox": {"id": inbox.id, "name": inbox.name},
        "message_type": MESSAGE_TYPE_NAMES[message.message_type], "private": message.private,
        "sender": _message_sender(state, message), "source_id": message.source_id,
    }


def _message_sender(state: SimulatorState, message: Message) -> dict[str, Any] | None:
    """The top-level sender: contact webhook data (no type), user or bot webhook data, or None."""
    if message.sender_type == "Contact":
        contact = state.db.contacts.get(message.sender_id)
        return contact_webhook(state, contact) if contact else None
    user = state.user_by_id(message.sender_id) if message.sender_type else None
    return user_webhook(user) if user else None
