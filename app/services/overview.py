"""The numbers on a tenant's overview: is the integration healthy?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ChatwootConfig,
    Client,
    Notification,
    NotificationStatus,
    SyncRun,
    Tenant,
    UnmatchedContact,
    UnmatchedStatus,
    WebhookEvent,
    WebhookStatus,
    utcnow,
)


@dataclass
class Overview:
    config: ChatwootConfig
    clients: int
    linked_clients: int
    last_webhook_at: datetime | None
    webhooks_24h: int
    failed_webhooks: int
    unmatched_waiting: int
    last_sync: SyncRun | None
    sent_24h: int
    failed_24h: int


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def tenant_overview(tenant: Tenant) -> Overview:
    since = utcnow() - timedelta(hours=24)
    t = tenant.id
    sent = (NotificationStatus.SENT, NotificationStatus.DELIVERED, NotificationStatus.READ)
    return Overview(
        config=db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == t)),
        clients=_count(Client, Client.tenant_id == t),
        linked_clients=_count(Client, Client.tenant_id == t, Client.chatwoot_contact_id.is_not(None)),
        last_webhook_at=db.session.scalar(
            select(func.max(WebhookEvent.received_at)).where(WebhookEvent.tenant_id == t)
        ),
        webhooks_24h=_count(WebhookEvent, WebhookEvent.tenant_id == t, WebhookEvent.received_at >= since),
        failed_webhooks=_count(WebhookEvent, WebhookEvent.tenant_id == t,
                               WebhookEvent.status == WebhookStatus.FAILED),
        unmatched_waiting=_count(UnmatchedContact, UnmatchedContact.tenant_id == t,
                                 UnmatchedContact.status == UnmatchedStatus.WAITING),
        last_sync=db.session.scalar(
            select(SyncRun).where(SyncRun.tenant_id == t).order_by(SyncRun.created_at.desc()).limit(1)
        ),
        sent_24h=_count(Notification, Notification.tenant_id == t, Notification.status.in_(sent),
                        Notification.created_at >= since),
        failed_24h=_count(Notification, Notification.tenant_id == t,
                          Notification.status == NotificationStatus.FAILED, Notification.created_at >= since),
    )
