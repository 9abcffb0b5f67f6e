"""The numbers on a tenant's overview: is the integration healthy?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.chatwoot.settings import resolve_settings, tenant_rows
from app.extensions import db
from app.models import (
    ChatwootConfig,
    Client,
    Notification,
    NotificationStatus,
    SyncRun,
    SyncStatus,
    Tenant,
    UnmatchedContact,
    UnmatchedStatus,
    WebhookEvent,
    WebhookStatus,
    utcnow,
)
from app.services.analytics.report import Report, build_report

DELIVERED = (NotificationStatus.SENT, NotificationStatus.DELIVERED, NotificationStatus.READ)


@dataclass
class Credentials:
    """What the last live check said, and which fields are still missing (no network)."""

    missing: list[str]
    enabled: bool
    checked_at: datetime | None
    ok: bool | None
    message: str | None
    inbox_name: str | None
    channel_type: str | None

    @property
    def state(self) -> str:
        """'missing', 'unchecked', 'ok' or 'bad': the card's colour and headline."""
        if self.missing:
            return "missing"
        if self.checked_at is None:
            return "unchecked"
        return "ok" if self.ok else "bad"


@dataclass
class Overview:
    credentials: Credentials
    clients: int
    linked_clients: int
    last_webhook: WebhookEvent | None
    webhooks_24h: int
    failed_webhooks: int
    unmatched_waiting: int
    last_sync: SyncRun | None
    sent_24h: int
    failed_24h: int
    week: Report  # the analytics headline of the last 7 days

    @property
    def sync_running(self) -> bool:
        return self.last_sync is not None and self.last_sync.status in (SyncStatus.QUEUED, SyncStatus.RUNNING)


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def _credentials(tenant_id: str) -> Credentials:
    effective = resolve_settings(tenant_id)
    _settings, config = tenant_rows(tenant_id)
    config = config or ChatwootConfig()
    return Credentials(missing=effective.missing, enabled=effective.enabled, checked_at=config.last_check_at,
                       ok=config.last_check_ok, message=config.last_check_message, inbox_name=config.inbox_name,
                       channel_type=config.inbox_channel_type)


def _newest(query):
    return db.session.scalar(query.limit(1))


def tenant_overview(tenant: Tenant) -> Overview:
    """Every card of the overview; each count runs on an index that starts with tenant_id."""
    since = utcnow() - timedelta(hours=24)
    t = tenant.id
    webhooks = select(WebhookEvent).where(WebhookEvent.tenant_id == t)
    return Overview(
        credentials=_credentials(t),
        clients=_count(Client, Client.tenant_id == t),
        linked_clients=_count(Client, Client.tenant_id == t, Client.chatwoot_contact_id.is_not(None)),
        last_webhook=_newest(webhooks.order_by(WebhookEvent.received_at.desc(), WebhookEvent.id.desc())),
        webhooks_24h=_count(WebhookEvent, WebhookEvent.tenant_id == t, WebhookEvent.received_at >= since),
        failed_webhooks=_count(WebhookEvent, WebhookEvent.tenant_id == t,
                               WebhookEvent.status == WebhookStatus.FAILED),
        unmatched_waiting=_count(UnmatchedContact, UnmatchedContact.tenant_id == t,
                                 UnmatchedContact.status == UnmatchedStatus.WAITING),
        last_sync=_newest(select(SyncRun).where(SyncRun.tenant_id == t)
                          .order_by(SyncRun.created_at.desc(), SyncRun.id.desc())),
        sent_24h=_count(Notification, Notification.tenant_id == t, Notification.status.in_(DELIVERED),
                        Notification.created_at >= since),
        failed_24h=_count(Notification, Notification.tenant_id == t,
                          Notification.status == NotificationStatus.FAILED, Notification.created_at >= since),
        week=build_report(tenant, 7, utcnow()),
    )
