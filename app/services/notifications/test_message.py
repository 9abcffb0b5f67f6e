"""Composing and sending a test message, and the link to its conversation in Chatwoot."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.chatwoot.errors import ChatwootError
from app.chatwoot.settings import resolve_settings
from app.chatwoot.types import SendResult
from app.extensions import db
from app.models import Client, NotificationType, Tenant, User
from app.services.audit import audit
from app.services.contacts.remote import send_text_to_phone
from app.services.notifications.templates import context_variables, next_appointment, render, template_body


@dataclass(frozen=True)
class Outcome:
    result: SendResult
    to: str
    text: str
    conversation_url: str | None


def tenant_client(tenant: Tenant, client_id: str | None) -> Client | None:
    """The tenant's client with that id; another tenant's id finds nothing."""
    if not client_id:
        return None
    return db.session.scalar(select(Client).where(Client.tenant_id == tenant.id, Client.id == client_id))


def compose(tenant: Tenant, client: Client | None, template_type: str | None, text: str | None) -> str:
    """The exact text to send: the client's real data only (never sample data); TemplateError names a gap."""
    body = (text or "").strip() or template_body(tenant.id, template_type or NotificationType.TEST)
    appointment = next_appointment(client) if client else None
    return render(body, context_variables(tenant, client, appointment))


def conversation_url(tenant_id: str, conversation_id: str | None) -> str | None:
    """<api_url>/app/accounts/<account>/conversations/<id>: where an agent opens the conversation."""
    settings = resolve_settings(tenant_id)
    if not (conversation_id and settings.api_url and settings.account_id):
        return None
    return f"{settings.api_url}/app/accounts/{settings.account_id}/conversations/{conversation_id}"


def send_test(tenant: Tenant, user: User, to: str, text: str) -> Outcome:
    """Send now through Chatwoot and audit who sent what to whom."""
    try:
        result = send_text_to_phone(tenant.id, to, text)
    except ChatwootError as exc:
        result = SendResult(success=False, error=exc.message)
    audit(tenant.id, "message.test", user.email, user.id, "conversation", result.conversation_id, to=to,
          success=result.success, error=result.error, message_id=result.message_id)
    db.session.flush()
    return Outcome(result, to, text, conversation_url(tenant.id, result.conversation_id))
