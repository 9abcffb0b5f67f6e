"""Application API response shapes (the jbuilder views of Chatwoot v4.15.1)."""

from __future__ import annotations

from typing import Any

from .formats import epoch, epoch_or_none, iso_ms
from .records import (
    API,
    SMS,
    WEB_WIDGET,
    WHATSAPP,
    Contact,
    ContactInbox,
    Conversation,
    Inbox,
    Message,
    Team,
    User,
)
from .state import SimulatorState

_OPEN_DAYS = range(1, 6)


def contact_json(state: SimulatorState, contact: Contact, with_inboxes: bool = False) -> dict[str, Any]:
    """`api/v1/models/_contact`: the contact as contacts endpoints and `meta.sender` show it."""
    data: dict[str, Any] = {
        "additional_attributes": contact.additional_attributes, "availability_status": "offline",
        "email": contact.email, "id": contact.id, "name": contact.name, "phone_number": contact.phone_number,
        "blocked": contact.blocked, "identifier": contact.identifier, "thumbnail": "",
        "custom_attributes": contact.custom_attributes,
    }
    if contact.last_activity_at is not None:
        data["last_activity_at"] = epoch(contact.last_activity_at)
    data["created_at"] = epoch(contact.created_at)
    if with_inboxes:
        links = state.contact_inboxes_of(contact.id)
        data["contact_inboxes"] = [contact_inbox_json(state, link) for link in links]
    return data


def contact_inbox_json(state: SimulatorState, link: ContactInbox) -> dict[str, Any]:
    """A contact's inbox link: source id plus the slim inbox."""
    return {"source_id": link.source_id, "inbox": slim_inbox(state.db.inboxes[link.inbox_id])}


def slim_inbox(inbox: Inbox) -> dict[str, Any]:
    """The short inbox object nested in contact payloads."""
    return {"id": inbox.id, "avatar_url": "", "channel_id": inbox.channel_id, "name": inbox.name,
            "channel_type": inbox.channel_type, "provider": inbox.provider}


def inbox_row(inbox: Inbox) -> dict[str, Any]:
    """The raw inbox database row, as `POST /contacts` returns it under `contact_inbox.inbox`."""
    return {
        "id": inbox.id, "channel_id": inbox.channel_id, "account_id": inbox.account_id, "name": inbox.name,
        "created_at": iso_ms(inbox.created_at), "updated_at": iso_ms(inbox.created_at),
        "channel_type": inbox.channel_type, "enable_auto_assignment": True, "greeting_enabled": False,
        "greeting_message": None, "email_address": None, "working_hours_enabled": False,
        "out_of_office_message": None, "timezone": "UTC", "enable_email_collect": True,
        "csat_survey_enabled": False, "allow_messages_after_resolved": True, "auto_assignment_config": {},
        "lock_to_single_conversation": inbox.lock_to_single_conversation, "portal_id": None,
        "sender_name_type": "friendly", "business_name": None, "csat_config": {},
    }


def _working_hours() -> list[dict[str, Any]]:
    """Chatwoot's default week: Monday to Friday 9–17, weekend closed."""
    def day(number: int) -> dict[str, Any]:
        is_open = number in _OPEN_DAYS
        return {"day_of_week": number, "closed_all_day": not is_open, "open_hour": 9 if is_open else None,
                "open_minutes": 0 if is_open else None, "close_hour": 17 if is_open else None,
                "close_minutes": 0 if is_open else None, "open_all_day": False}
    return [day(number) for number in range(7)]


def inbox_json(inbox: Inbox, admin: bool) -> dict[str, Any]:
    """`api/v1/models/_inbox`: secrets and provider config only for administrators."""
    data: dict[str, Any] = {
        "id": inbox.id, "avatar_url": "", "channel_id": inbox.channel_id, "name": inbox.name,
        "channel_type": inbox.channel_type, "greeting_enabled": False, "greeting_message": None,
        "working_hours_enabled": False, "enable_email_collect": True, "csat_survey_enabled": False,
        "csat_config": {}, "enable_auto_assignment": True, "auto_assignment_config": {},
        "out_of_office_message": None, "working_hours": _working_hours(), "timezone": "UTC",
        "callback_webhook_url": None, "allow_messages_after_resolved": True,
        "lock_to_single_conversation": inbox.lock_to_single_conversation, "sender_name_type": "friendly",
        "business_name": None, "allowed_domains": None, "widget_color": None, "website_url": None,
        "hmac_mandatory": None, "welcome_title": None, "welcome_tagline": None, "web_widget_script": None,
        "website_token": None, "selected_feature_flags": None, "reply_time": None,
        "messaging_service_sid": None, "phone_number": inbox.phone_number,
    }
    data.update(_channel_fields(inbox, admin))
    return data


def _channel_fields(inbox: Inbox, admin: bool) -> dict[str, Any]:
    """The keys that depend on the channel type."""
    if inbox.channel_type == WHATSAPP:
        extra: dict[str, Any] = {
            "callback_webhook_url": f"https://chatwoot.simulator/webhooks/whatsapp/{inbox.phone_number}",
            "provider": inbox.provider, "message_templates": inbox.message_templates}
        if admin:
            extra["provider_config"] = {"api_key": "sim-" + inbox.hmac_token[:8],
                                        "phone_number_id": str(inbox.id),
                                        "business_account_id": str(inbox.account_id)}
        flags = {"reauthorization_required": False, "voice_enabled": False, "inbound_calls_enabled": False}
        return extra | flags
    if inbox.channel_type == API:
        secrets = {"hmac_token": inbox.hmac_token, "secret": inbox.secret} if admin else {}
        return {"hmac_mandatory": False, **secrets, "webhook_url": inbox.webhook_url,
                "inbox_identifier": inbox.inbox_identifier, "additional_attributes": {}, "provider": None}
    if inbox.channel_type == WEB_WIDGET:
        secrets = {"hmac_token": inbox.hmac_token} if admin else {}
        return {"website_token": inbox.inbox_identifier, "hmac_mandatory": False, **secrets, "provider": None}
    return {"provider": inbox.provider if inbox.channel_type == SMS else None}


def user_push(user: User) -> dict[str, Any]:
    """`User#push_event_data` (message senders, webhook assignee); bots get the agent-bot shape."""
    if user.is_bot:
        return {"id": user.id, "name": user.name, "avatar_url": "", "type": "agent_bot"}
    return {"id": user.id, "name": user.name, "available_name": user.name, "avatar_url": "", "type": "user",
            "availability_status": "online", "thumbnail": ""}


def assignee_json(user: User, account_id: int) -> dict[str, Any]:
    """The assignee inside the API conversation `meta`."""
    return {"id": user.id, "account_id": account_id, "availability_status": "online", "auto_offline": True,
            "confirmed": True, "email": user.email, "provider": "email", "available_name": user.name,
            "name": user.name, "role": user.role, "thumbnail": "", "custom_role_id": None}


def contact_push(contact: Contact) -> dict[str, Any]:
    """`Contact#push_event_data`: `meta.sender` and contact message senders, with `type`."""
    return {"additional_attributes": contact.additional_attributes,
            "custom_attributes": contact.custom_attributes, "email": contact.email, "id": contact.id,
            "identifier": contact.identifier, "name": contact.name, "phone_number": contact.phone_number,
            "thumbnail": "", "blocked": contact.blocked, "type": "contact"}


def sender_push(state: SimulatorState, message: Message) -> dict[str, Any] | None:
    """The push data of whoever sent the message, or None."""
    if message.sender_type == "Contact":
        contact = state.db.contacts.get(message.sender_id)
        return contact_push(contact) if contact else None
    user = state.user_by_id(message.sender_id) if message.sender_type in ("User", "AgentBot") else None
    return user_push(user) if user else None


def message_json(state: SimulatorState, message: Message) -> dict[str, Any]:
    """`api/v1/models/_message`: the flat message of the messages endpoints (integer type)."""
    data: dict[str, Any] = {
        "id": message.id, "content": message.content, "inbox_id": message.inbox_id,
        "conversation_id": message.conversation_id, "message_type": message.message_type,
        "content_type": message.content_type, "status": message.status,
        "content_attributes": message.content_attributes, "created_at": epoch(message.created_at),
        "private": message.private, "source_id": message.source_id,
    }
    sender = sender_push(state, message)
    if sender is not None:
        data["sender"] = sender
    return data


def message_push(state: SimulatorState, message: Message) -> dict[str, Any]:
    """`Message#webhook_push_event_data`: the item format of `conversation.messages[]`."""
    conversation = state.db.conversations[(message.account_id, message.conversation_id)]
    link = state.db.contact_inboxes.get(conversation.contact_inbox_id)
    data: dict[str, Any] = {
        "id": message.id, "content": message.content, "account_id": message.account_id,
        "inbox_id": message.inbox_id, "conversation_id": message.conversation_id,
        "message_type": message.message_type, "created_at": epoch(message.created_at),
        "updated_at": iso_ms(message.updated_at), "private": message.private, "status": message.status,
        "source_id": message.source_id, "content_type": message.content_type,
        "content_attributes": message.content_attributes, "sender_type": message.sender_type,
        "sender_id": message.sender_id, "external_source_ids": {},
        "additional_attributes": message.additional_attributes, "processed_message_content": message.content,
        "sentiment": {},
        "conversation": {"assignee_id": conversation.assignee_id,
                         "unread_count": state.unread_count(conversation),
                         "last_activity_at": epoch(conversation.last_activity_at),
                         "contact_inbox": {"source_id": link.source_id if link else None}},
    }
    sender = sender_push(state, message)
    if sender is not None:
        data["sender"] = sender
    return data


def conversation_json(state: SimulatorState, conversation: Conversation) -> dict[str, Any]:
    """`conversations/partials/_conversation`: the API conversation object (display id, integer types)."""
    last = state.last_chat_message(conversation)
    latest = state.last_non_activity_message(conversation)
    return {
        "meta": _conversation_meta(state, conversation), "id": conversation.display_id,
        "messages": [message_push(state, last)] if last else [], "account_id": conversation.account_id,
        "uuid": conversation.uuid, "additional_attributes": conversation.additional_attributes,
        "agent_last_seen_at": epoch(conversation.agent_last_seen_at), "assignee_last_seen_at": 0,
        "can_reply": state.can_reply(conversation),
        "contact_last_seen_at": epoch(conversation.contact_last_seen_at),
        "custom_attributes": conversation.custom_attributes, "inbox_id": conversation.inbox_id, "labels": [],
        "muted": False, "snoozed_until": epoch_or_none(conversation.snoozed_until),
        "status": conversation.status,
        "created_at": epoch(conversation.created_at), "updated_at": conversation.updated_at,
        "timestamp": epoch(conversation.last_activity_at),
        "first_reply_created_at": epoch(conversation.first_reply_created_at),
        "unread_count": state.unread_count(conversation),
        "last_non_activity_message": message_push(state, latest) if latest else None,
        "last_activity_at": epoch(conversation.last_activity_at), "priority": conversation.priority,
        "waiting_since": epoch(conversation.waiting_since), "sla_policy_id": None,
    }


def _conversation_meta(state: SimulatorState, conversation: Conversation) -> dict[str, Any]:
    """The API conversation `meta`: contact, channel and assignee."""
    meta: dict[str, Any] = {
        "sender": contact_json(state, state.db.contacts[conversation.contact_id]),
        "channel": state.db.inboxes[conversation.inbox_id].channel_type,
    }
    assignee = state.user_by_id(conversation.assignee_id)
    if assignee is not None:
        meta["assignee"] = assignee_json(assignee, conversation.account_id)
    meta["assignee_type"] = "User" if assignee else None
    team = state.db.teams.get(conversation.team_id) if conversation.team_id else None
    if team is not None:
        meta["team"] = team_json(team)
    meta["hmac_verified"] = False
    return meta


def team_json(team: Team) -> dict[str, Any]:
    """`api/v1/models/_team`."""
    return {"id": team.id, "name": team.name, "description": team.description,
            "allow_auto_assign": team.allow_auto_assign, "account_id": team.account_id, "is_member": False}
