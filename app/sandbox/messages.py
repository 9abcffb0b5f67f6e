"""Message rules: `MessageBuilder` validations, conversation side effects, channel delivery, statuses."""

from __future__ import annotations

import secrets
from typing import Any

from .errors import RecordInvalid, unprocessable
from .formats import as_text, blank, iso_ms, ruby_bool
from .records import (
    API,
    CONTENT_TYPES,
    INCOMING,
    MESSAGE_STATUSES,
    MESSAGE_TYPES,
    OUTGOING,
    TEMPLATE,
    WHATSAPP,
    Conversation,
    Inbox,
    Message,
)
from .state import SimulatorState
from .views import message_json

MESSAGES_PER_MINUTE = 200
TEMPLATE_FAILURE = "Template not found or invalid template name"
INCOMING_ONLY_API = "Incoming messages are only allowed in Api inboxes"


def parse_message_type(value: Any) -> int:
    """The enum value of a `message_type` param (outgoing when absent)."""
    if blank(value):
        return OUTGOING
    if isinstance(value, int) and value in MESSAGE_TYPES.values():
        return value
    if isinstance(value, str) and value in MESSAGE_TYPES:
        return MESSAGE_TYPES[value]
    raise unprocessable(f"'{value}' is not a valid message_type")


def template_errors(template_params: Any) -> list[tuple[str, str]]:
    """The JSON-schema errors for `template_params` (name required, processed_params an object)."""
    if not isinstance(template_params, dict):
        return [("template_params", "Template params must be of type hash")]
    errors = [] if "name" in template_params else [("name", "Name is required")]
    for key in ("name", "category", "language"):
        if key in template_params and not isinstance(template_params[key], str):
            errors.append((f"template_params/{key}", f"Template params/{key} must be of type string"))
    processed = template_params.get("processed_params")
    if processed is not None and not isinstance(processed, dict):
        message = "Template params/processed params must be of type hash"
        errors.append(("template_params/processed_params", message))
    return errors


def flooding(state: SimulatorState, conversation: Conversation) -> bool:
    """At least 200 messages in this conversation during the last minute."""
    since = state.now() - 60
    recent = [m for m in state.conversation_messages(conversation) if m.created_at >= since]
    return len(recent) >= MESSAGES_PER_MINUTE


def validate_new_message(state: SimulatorState, conversation: Conversation | None, inbox: Inbox,
                         params: dict[str, Any]) -> int:
    """Check a message before saving it; returns its message type."""
    message_type = parse_message_type(params.get("message_type"))
    if message_type == INCOMING and inbox.channel_type != API:
        raise unprocessable(INCOMING_ONLY_API)
    content_type = params.get("content_type")
    if not blank(content_type) and content_type not in CONTENT_TYPES:
        raise unprocessable(f"'{content_type}' is not a valid content_type")
    template_params = params.get("template_params")
    errors = [] if blank(template_params) else template_errors(template_params)
    if conversation is not None and flooding(state, conversation):
        errors.append(("base", "Too many messages"))
    if errors:
        raise RecordInvalid(errors)
    return message_type


def insert_message(state: SimulatorState, conversation: Conversation, **fields: Any) -> Message:
    """Store a message in the conversation."""
    now = state.now()
    message = Message(id=state.db.allocate("messages"), account_id=conversation.account_id,
                      inbox_id=conversation.inbox_id, conversation_id=conversation.display_id,
                      created_at=now, updated_at=now, **fields)
    state.db.add_message(message)
    return message


def create_message(state: SimulatorState, conversation: Conversation, params: dict[str, Any],
                   sender: tuple[str, int], fresh: bool = False,
                   deliver: bool = True) -> tuple[Message, dict[str, Any]]:
    """`MessageBuilder#perform`: the message and its response, rendered before channel delivery."""
    inbox = state.db.inboxes[conversation.inbox_id]
    message_type = validate_new_message(state, conversation, inbox, params)
    sender_type, sender_id = ("Contact", conversation.contact_id) if message_type == INCOMING else sender
    template_params = params.get("template_params")
    attributes = params.get("content_attributes")
    message = insert_message(
        state, conversation, content=as_text(params.get("content")), message_type=message_type,
        sender_type=sender_type, sender_id=sender_id, content_type=params.get("content_type") or "text",
        private=ruby_bool(params.get("private")),
        source_id=None if blank(params.get("source_id")) else as_text(params["source_id"]),
        content_attributes=dict(attributes) if isinstance(attributes, dict) else {},
        additional_attributes={} if blank(template_params) else {"template_params": template_params})
    response = message_json(state, message)
    after_create(state, conversation, message, fresh, deliver)
    return message, response


def after_create(state: SimulatorState, conversation: Conversation, message: Message, fresh: bool,
                 deliver: bool = True) -> None:
    """Callbacks of a new message: webhooks, conversation activity, contact activity, channel delivery."""
    conversation.last_activity_at = message.created_at
    state.emit_message("message_created", message)
    changes: dict[str, Any] = {}
    if message.message_type == INCOMING:
        if conversation.waiting_since is None:
            changes["waiting_since"] = message.created_at
        if conversation.status in ("resolved", "snoozed"):
            changes.update(status="open", snoozed_until=None)
    elif is_human_reply(message):
        if conversation.first_reply_created_at is None:
            changes["first_reply_created_at"] = message.created_at
        changes["waiting_since"] = None
    state.change_conversation(conversation, changes, emit=not fresh)
    if message.message_type == INCOMING:
        _bump_contact_activity(state, conversation.contact_id, message.created_at)
    if deliver:
        deliver_to_channel(state, conversation, message)


def is_human_reply(message: Message) -> bool:
    """An agent's public outgoing message (bots and notes do not count as replies)."""
    public_reply = message.message_type in (OUTGOING, TEMPLATE) and not message.private
    return public_reply and message.sender_type == "User"


def _bump_contact_activity(state: SimulatorState, contact_id: int, at: float) -> None:
    """Every incoming message moves `last_activity_at`, hence a `contact_updated` each time (#11973)."""
    contact = state.db.contacts[contact_id]
    previous, contact.last_activity_at = contact.last_activity_at, at
    state.touch_contact(contact, [{"last_activity_at": {"previous_value": iso_ms(previous),
                                                        "current_value": iso_ms(at)}}])


def deliver_to_channel(state: SimulatorState, conversation: Conversation, message: Message) -> None:
    """`SendReplyJob`: API inboxes send nothing; WhatsApp applies the 24 h window and template rules."""
    if message.private or message.message_type not in (OUTGOING, TEMPLATE) or message.source_id:
        return
    inbox = state.db.inboxes[message.inbox_id]
    if inbox.channel_type == WHATSAPP:
        _send_whatsapp(state, conversation, inbox, message)
    elif inbox.channel_type != API:
        _log_send(state, message, "session", None, None)


def find_template(inbox: Inbox, template_params: Any) -> dict[str, Any] | None:
    """The approved template with that name and language (case-insensitive)."""
    if not isinstance(template_params, dict):
        return None
    language = str(template_params.get("language") or "").lower()
    for template in inbox.message_templates:
        same_name = template.get("name") == template_params.get("name")
        same_language = str(template.get("language") or "").lower() == language
        if same_name and same_language and str(template.get("status", "")).upper() == "APPROVED":
            return template
    return None


def _send_whatsapp(state: SimulatorState, conversation: Conversation, inbox: Inbox, message: Message) -> None:
    """Template when asked for or when the window is closed; a missing template fails the message."""
    template_params = message.additional_attributes.get("template_params")
    if template_params or not state.can_reply(conversation):
        if find_template(inbox, template_params) is None:
            _log_send(state, message, "template", template_params, TEMPLATE_FAILURE)
            set_status(state, message, "failed", TEMPLATE_FAILURE)
            return
        _log_send(state, message, "template", template_params, None)
    else:
        _log_send(state, message, "session", None, None)
    message.source_id, message.updated_at = "wamid." + secrets.token_urlsafe(24), state.now()
    state.emit_message("message_updated", message)


def _log_send(state: SimulatorState, message: Message, kind: str, template: Any, error: str | None) -> None:
    """Record what the channel would have sent, for tests and demos."""
    conversation = state.db.conversations[(message.account_id, message.conversation_id)]
    link = state.db.contact_inboxes.get(conversation.contact_inbox_id)
    state.channel_log.append({
        "account_id": message.account_id, "inbox_id": message.inbox_id,
        "conversation_id": message.conversation_id,
        "message_id": message.id, "channel": state.db.inboxes[message.inbox_id].channel_type, "kind": kind,
        "to": link.source_id if link else None, "template": template, "content": message.content,
        "outcome": "failed" if error else "sent", "error": error, "at": state.now()})


def set_status(state: SimulatorState, message: Message, status: str,
               external_error: str | None = None) -> bool:
    """`Messages::StatusUpdateService`: read → delivered is ignored; a change fires `message_updated`."""
    if status not in MESSAGE_STATUSES:
        raise unprocessable(f"'{status}' is not a valid status")
    if message.status == "read" and status == "delivered":
        return False
    error_changes = (status == "failed" and not blank(external_error)
                     and message.content_attributes.get("external_error") != external_error)
    if message.status == status and not error_changes:
        return False
    message.status = status
    if error_changes:
        message.content_attributes = {**message.content_attributes, "external_error": external_error}
    message.updated_at = state.now()
    state.emit_message("message_updated", message)
    return True
