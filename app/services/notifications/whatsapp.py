"""WhatsApp through Chatwoot: outside the 24-hour window only an approved template reaches the customer.

Chatwoot answers 200 to a free-text message sent outside the window and only later marks it failed
("Template not found or invalid template name"), so we decide before posting: a new conversation, or
one whose `can_reply` is not true, gets the tenant's approved template for the notification type.
"""

from __future__ import annotations

from app.chatwoot.client import ChatwootClient
from app.chatwoot.types import Conversation
from app.models import Notification, NotificationSettings

WHATSAPP_CHANNEL = "Channel::Whatsapp"
TWILIO_CHANNEL = "Channel::TwilioSms"  # SMS or WhatsApp: only the inbox's `medium` tells


class TemplateUnavailable(Exception):
    """The window is closed and no usable approved template is configured: sending would be rejected."""


def is_whatsapp(api: ChatwootClient, conversation: Conversation, inbox_id: str) -> bool:
    """Whether the conversation's inbox is a WhatsApp channel (asks Chatwoot only for Twilio inboxes)."""
    channel = (conversation.raw.get("meta") or {}).get("channel")
    if channel == WHATSAPP_CHANNEL:
        return True
    if channel and channel != TWILIO_CHANNEL:
        return False
    return api.get_inbox(inbox_id).is_whatsapp


def window_open(conversation: Conversation, created: bool) -> bool:
    """True only for an existing conversation Chatwoot says we may answer freely (can_reply true)."""
    return not created and conversation.raw.get("can_reply") is True


def template_params(api: ChatwootClient, conversation: Conversation, created: bool, inbox_id: str,
                    settings: NotificationSettings | None, notification: Notification) -> dict | None:
    """Chatwoot's template_params when a template is required, None for a free-text message."""
    if window_open(conversation, created) or not is_whatsapp(api, conversation, inbox_id):
        return None
    config = ((settings.whatsapp_templates if settings else None) or {}).get(notification.type) or {}
    name, language = config.get("name"), config.get("language") or "es_MX"
    if not name:
        raise TemplateUnavailable(f"the WhatsApp 24-hour window is closed and no approved template is "
                                  f"configured for {notification.type}")
    values = notification.variables or {}
    missing = [v for v in config.get("params") or [] if not str(values.get(v) or "").strip()]
    if missing:
        raise TemplateUnavailable(f"WhatsApp template {name}: missing variable(s) {', '.join(missing)}")
    _require_approved(api, inbox_id, name, language)
    body = {str(i): str(values[v]) for i, v in enumerate(config.get("params") or [], start=1)}
    return {"name": name, "language": language, "processed_params": {"body": body}}


def _require_approved(api: ChatwootClient, inbox_id: str, name: str, language: str) -> None:
    """The template must be synced in the inbox, same name and language, APPROVED (else Meta rejects it)."""
    inbox = api.get_inbox(inbox_id)
    if inbox.channel_type != WHATSAPP_CHANNEL:
        return  # Twilio keeps its content templates elsewhere; Chatwoot reports a bad one on the message
    for template in inbox.message_templates:
        if template.get("name") == name and str(template.get("language") or "").lower() == language.lower() \
                and str(template.get("status") or "").upper() == "APPROVED":
            return
    raise TemplateUnavailable(f"WhatsApp template {name} ({language}) is not an approved template of inbox "
                              f"{inbox_id}; sync the templates in Chatwoot")
