"""All models, importable from one place."""

from app.models.agents import ConversationAssignment, QuickReply, StylistAgent
from app.models.analytics import AnalyticsDay
from app.models.api_key import ApiKey
from app.models.appointment import Appointment
from app.models.audit import AuditLog
from app.models.automation import AutomationReply, AutomationSettings, CallbackDelivery
from app.models.base import Base, new_id, utcnow
from app.models.client import Client
from app.models.contact_task import ContactTask
from app.models.enums import (
    AppointmentStatus,
    ContactTaskStatus,
    NotificationChannel,
    NotificationStatus,
    NotificationType,
    Role,
    SyncStatus,
    UnmatchedReason,
    UnmatchedStatus,
    WebhookStatus,
)
from app.models.interaction import ChatwootInteraction
from app.models.notification import ClientDeliveryLock, Notification
from app.models.settings import ChatwootConfig, NotificationSettings, NotificationTemplate
from app.models.sync_run import SyncRun
from app.models.tenant import Tenant
from app.models.unmatched import UnmatchedContact
from app.models.user import LoginFailure, TenantMembership, User
from app.models.webhook_event import WebhookEvent

__all__ = [
    "AnalyticsDay",
    "ApiKey",
    "Appointment",
    "AppointmentStatus",
    "AuditLog",
    "AutomationReply",
    "AutomationSettings",
    "Base",
    "CallbackDelivery",
    "ChatwootConfig",
    "ChatwootInteraction",
    "Client",
    "ClientDeliveryLock",
    "ContactTask",
    "ContactTaskStatus",
    "ConversationAssignment",
    "LoginFailure",
    "Notification",
    "NotificationChannel",
    "NotificationSettings",
    "NotificationStatus",
    "NotificationTemplate",
    "NotificationType",
    "QuickReply",
    "Role",
    "StylistAgent",
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
