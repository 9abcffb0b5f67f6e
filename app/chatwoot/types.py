"""Typed views of Chatwoot's answers (the raw dict is kept for anything else)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _id(value) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Contact:
    id: str
    name: str | None
    phone_number: str | None
    email: str | None
    identifier: str | None
    custom_attributes: dict[str, Any]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict) -> Contact:
        return cls(id=str(data["id"]), name=data.get("name"), phone_number=data.get("phone_number"),
                   email=data.get("email"), identifier=data.get("identifier"),
                   custom_attributes=data.get("custom_attributes") or {}, raw=data)


@dataclass(frozen=True)
class Inbox:
    id: str
    name: str
    channel_type: str
    provider: str | None
    message_templates: list[dict]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict) -> Inbox:
        return cls(id=str(data["id"]), name=data.get("name") or "", channel_type=data.get("channel_type") or "",
                   provider=data.get("provider"), message_templates=data.get("message_templates") or [],
                   raw=data)

    @property
    def is_whatsapp(self) -> bool:
        return self.channel_type == "Channel::Whatsapp" or (
            self.channel_type == "Channel::TwilioSms" and (self.raw.get("medium") == "whatsapp"))


@dataclass(frozen=True)
class Conversation:
    id: str  # the display id, as used in API paths
    inbox_id: str | None
    status: str | None
    can_reply: bool
    contact_id: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict) -> Conversation:
        sender = (data.get("meta") or {}).get("sender") or {}
        return cls(id=str(data["id"]), inbox_id=_id(data.get("inbox_id")), status=data.get("status"),
                   can_reply=bool(data.get("can_reply", True)), contact_id=_id(sender.get("id")), raw=data)


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str | None
    status: str | None
    content: str | None
    source_id: str | None
    external_error: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict) -> Message:
        attrs = data.get("content_attributes") or {}
        return cls(id=str(data["id"]), conversation_id=_id(data.get("conversation_id")),
                   status=data.get("status"), content=data.get("content"), source_id=data.get("source_id"),
                   external_error=attrs.get("external_error") if isinstance(attrs, dict) else None, raw=data)


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    accounts: list[dict]

    def role_in(self, account_id: str) -> str | None:
        for account in self.accounts:
            if str(account.get("id")) == str(account_id):
                return account.get("role")
        return None


@dataclass(frozen=True)
class ContactPage:
    contacts: list[Contact]
    count: int
    has_more: bool


@dataclass
class SendResult:
    success: bool
    conversation_id: str | None = None
    message_id: str | None = None
    contact_id: str | None = None
    error: str | None = None
