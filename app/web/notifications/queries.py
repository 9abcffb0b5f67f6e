"""Reading the notifications list with indexed filters and keyset pagination."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.models import Notification, NotificationStatus, NotificationType, Tenant
from app.services.listing import Page, keyset_page

STATUSES = tuple(NotificationStatus)
TYPES = tuple(NotificationType)


def notifications_page(tenant: Tenant, type_: str | None, status: str | None, cursor: str | None) -> Page:
    """Notifications newest first; type and status each use a (tenant_id, column, created_at) index."""
    query = select(Notification).where(Notification.tenant_id == tenant.id).options(selectinload(Notification.client))
    if status in STATUSES:
        query = query.where(Notification.status == status)
    if type_ in TYPES:
        query = query.where(Notification.type == type_)
    return keyset_page(query, Notification.created_at, Notification.id, cursor)
