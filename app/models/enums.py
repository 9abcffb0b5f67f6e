"""Enumerations stored as plain strings (portable, readable in SQL)."""

from enum import StrEnum


class NotificationChannel(StrEnum):
    WHATSAPP = "WHATSAPP"
    EMAIL = "EMAIL"
    SMS = "SMS"
    PUSH = "PUSH"
    CHATWOOT = "CHATWOOT"


class NotificationType(StrEnum):
    APPOINTMENT_CONFIRMATION = "APPOINTMENT_CONFIRMATION"
    APPOINTMENT_REMINDER = "APPOINTMENT_REMINDER"
    APPOINTMENT_CANCELLATION = "APPOINTMENT_CANCELLATION"
    APPOINTMENT_RESCHEDULED = "APPOINTMENT_RESCHEDULED"
    MARKETING = "MARKETING"
    TEST = "TEST"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    SKIPPED = "skipped"


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"


class AppointmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    CANCEL_REQUESTED = "cancel_requested"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class WebhookStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    IGNORED = "ignored"
    FAILED = "failed"


class UnmatchedReason(StrEnum):
    NO_PHONE = "no_phone"
    INVALID_PHONE = "invalid_phone"
    NO_MATCH = "no_match"
    AMBIGUOUS = "ambiguous"


class UnmatchedStatus(StrEnum):
    WAITING = "waiting"
    LINKED = "linked"
    CREATED = "created"
    DISMISSED = "dismissed"


class SyncStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ContactTaskStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
