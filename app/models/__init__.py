"""All models, importable from one place."""

from app.models.audit import ApiKey, AuditLog
from app.models.base import Base, new_id, utcnow
from app.models.client import Appointment, Client
from app.models.enums import (
    AppointmentStatus,
    NotificationChannel,
    NotificationStatus,
    NotificationType,
    Role,
    SyncStatus,
    UnmatchedReason,
    UnmatchedStatus,
    WebhookStatus,
)
from app.models.interaction import ChatwootInteraction, SyncRun, UnmatchedContact, WebhookEvent
from app.models.notification import ClientDeliveryLock, Notification
from app.models.settings import ChatwootConfig, NotificationSettings, NotificationTemplate
from app.models.tenant import LoginFailure, Tenant, TenantMembership, User

__all__ = [
    "ApiKey",
    "Appointment",
    "AppointmentStatus",
    "AuditLog",
    "Base",
    "ChatwootConfig",
    "ChatwootInteraction",
    "Client",
    "ClientDeliveryLock",
    "LoginFailure",
    "Notification",
    "NotificationChannel",
    "NotificationSettings",
    "NotificationStatus",
    "NotificationTemplate",
    "NotificationType",
    "Role",
    "SyncRun",
    "SyncStatus",
    "Tenant",
    "TenantMembership",
    "UnmatchedContact",
    "UnmatchedReason",
    "UnmatchedStatus",
    "User",
    "WebhookEvent",
    "WebhookStatus",
    "new_id",
    "utcnow",
]
