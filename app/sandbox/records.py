"""In-memory records of the Chatwoot simulator (one dataclass per Chatwoot table we model)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

API = "Channel::Api"
WHATSAPP = "Channel::Whatsapp"
SMS = "Channel::Sms"
EMAIL = "Channel::Email"
WEB_WIDGET = "Channel::WebWidget"
CHANNEL_TYPES = (API, WHATSAPP, SMS, EMAIL, WEB_WIDGET)

INCOMING, OUTGOING, ACTIVITY, TEMPLATE = 0, 1, 2, 3
MESSAGE_TYPES = {"incoming": INCOMING, "outgoing": OUTGOING, "activity": ACTIVITY, "template": TEMPLATE}
MESSAGE_TYPE_NAMES = {value: name for name, value in MESSAGE_TYPES.items()}
CONVERSATION_STATUSES = ("open", "resolved", "pending", "snoozed")
MESSAGE_STATUSES = ("sent", "delivered", "read", "failed")
CONTENT_TYPES = (
    "text", "input_text", "input_textarea", "input_email", "input_select", "cards", "form", "article",
    "incoming_email", "input_csat", "integrations", "sticker", "voice_call",
)
ROLES = ("administrator", "agent")


@dataclass
class Account:
    id: int
    name: str
    created_at: float


@dataclass
class User:
    id: int
    token: str
    name: str
    email: str
    role: str
    account_ids: list[int]
    is_bot: bool = False

    @property
    def is_admin(self) -> bool:
        """Whether the user administers its accounts (bots never do)."""
        return not self.is_bot and self.role == "administrator"


@dataclass
class Inbox:
    id: int
    account_id: int
    name: str
    channel_type: str
    channel_id: int
    created_at: float
    phone_number: str | None = None
    provider: str | None = None
    message_templates: list[dict[str, Any]] = field(default_factory=list)
    lock_to_single_conversation: bool = False
    members: set[str] = field(default_factory=set)
    webhook_url: str | None = None
    secret: str = ""
    hmac_token: str = ""
    inbox_identifier: str = ""


@dataclass
class Contact:
    id: int
    account_id: int
    name: str
    email: str | None
    phone_number: str | None
    identifier: str | None
    created_at: float
    updated_at: float
    additional_attributes: dict[str, Any] = field(default_factory=dict)
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    blocked: bool = False
    last_activity_at: float | None = None


@dataclass
class ContactInbox:
    id: int
    contact_id: int
    inbox_id: int
    source_id: str
    created_at: float
    pubsub_token: str


@dataclass
class Conversation:
    display_id: int
    account_id: int
    inbox_id: int
    contact_id: int
    contact_inbox_id: int
    uuid: str
    status: str
    created_at: float
    updated_at: float
    last_activity_at: float
    waiting_since: float | None = None
    first_reply_created_at: float | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    snoozed_until: float | None = None
    priority: str | None = None
    agent_last_seen_at: float | None = None
    contact_last_seen_at: float | None = None
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    additional_attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Message:
    id: int
    account_id: int
    inbox_id: int
    conversation_id: int  # the display id, unique within the account
    content: str | None
    message_type: int
    created_at: float
    updated_at: float
    sender_type: str | None = None  # "User" | "Contact" | "AgentBot" | None
    sender_id: int | None = None
    content_type: str = "text"
    status: str = "sent"
    private: bool = False
    source_id: str | None = None
    content_attributes: dict[str, Any] = field(default_factory=dict)
    additional_attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Webhook:
    id: int
    account_id: int
    url: str
    secret: str | None
    subscriptions: list[str]
    name: str | None = None


@dataclass
class AttributeDefinition:
    id: int
    account_id: int
    display_name: str
    key: str
    model: str
    display_type: str
    created_at: float
    description: str | None = None
    values: list[Any] = field(default_factory=list)
    regex_pattern: str | None = None
    regex_cue: str | None = None
    default_value: Any = None


@dataclass
class Team:
    id: int
    account_id: int
    name: str
    description: str = ""
    allow_auto_assign: bool = True


@dataclass
class CannedResponse:
    id: int
    account_id: int
    short_code: str
    content: str
    created_at: float
    updated_at: float
