"""Composing a test message, queueing it as a TEST notification, and reading back how it went.

The dashboard never waits for Chatwoot: the message is a notification of type TEST that the worker
delivers like any other (retries, rate limits and all), and the page polls its row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.chatwoot.settings import resolve_settings
from app.extensions import db
from app.models import (
    Client,
    Notification,
    NotificationChannel,
    NotificationStatus,
    NotificationType,
    Tenant,
    User,
    utcnow,
)
from app.queue import enqueue_after_commit
from app.services.audit import record
from app.services.contacts.matching import MatchReason, match_phone
from app.services.notifications.templates import context_variables, next_appointment, render, template_body


@dataclass(frozen=True)
class SendStatus:
    """A queued test message and where to open its conversation once it is sent."""

    notification: Notification
    to: str
    conversation_url: str | None

    @property
    def pending(self) -> bool:
        return self.notification.status == NotificationStatus.PENDING


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


def queue_test(tenant: Tenant, user: User, client: Client | None, phone: str | None, text: str) -> Notification:
    """Store the test message as a TEST notification due now; the worker sends it (flush only)."""
    if client is None:  # a typed number that is a client's goes to that client, like any notification
        found = match_phone(phone, tenant.id, tenant.phone_region)
        client = found.client if found.reason == MatchReason.MATCHED else None
    row = Notification(tenant_id=tenant.id, type=NotificationType.TEST, channel=NotificationChannel.CHATWOOT,
                       client_id=client.id if client else None, to_phone=None if client else phone.strip(),
                       message=text, variables={}, status=NotificationStatus.PENDING, attempts=0,
                       next_attempt_at=utcnow())
    db.session.add(row)
    db.session.flush()
    record("message.test", tenant_id=tenant.id, by=user, target_type="notification", target_id=row.id,
           to=client.phone if client else row.to_phone, client_id=row.client_id)
    enqueue_after_commit("deliver_notification", row.id)
    return row


def send_status(tenant: Tenant, notification_id: str) -> SendStatus | None:
    """The tenant's TEST notification and its conversation link; None for anything else."""
    row = db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.tenant_id == tenant.id,
        Notification.type == NotificationType.TEST))
    if row is None:
        return None
    to = row.client.phone if row.client else row.to_phone or ""
    return SendStatus(row, to, conversation_url(tenant.id, row.chatwoot_conversation_id))
