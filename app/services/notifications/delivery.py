"""Delivering one notification through Chatwoot (in the worker): contact, conversation, message.

Runs under the client's delivery lock, so two notifications to a new client never create two contacts
or open two conversations. Nothing here commits: `delivery_steps` yields after each write that others
must see (the client's link, the conversation id, the sent status) and the caller commits there, so
every Chatwoot call runs with no transaction open. After each commit the notification's lease and the
client's lock are renewed, and waits inside a call (retry backoff) renew them too.
"""

from __future__ import annotations

import functools
from collections.abc import Generator

from sqlalchemy import select, update

from app.chatwoot.client import ChatwootClient
from app.chatwoot.errors import ChatwootNotFound, ChatwootTransientError
from app.chatwoot.settings import require_settings, resolve_settings
from app.chatwoot.types import Conversation, Message
from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    Client,
    Notification,
    NotificationChannel,
    NotificationSettings,
    NotificationStatus,
    NotificationType,
    Tenant,
    utcnow,
)
from app.phone import Phone, PhoneError, configured_region, parse_phone
from app.services.audit import record
from app.services.contacts.interactions import log_sent_message
from app.services.contacts.linking import contact_owner, link_client
from app.services.contacts.remote import ensure_contact, open_conversation
from app.services.leases import Heartbeat, lease_until
from app.services.notifications.client_lock import client_lock, renew_lock
from app.services.notifications.schedule import is_reminder_for
from app.services.notifications.whatsapp import template_params
from app.services.webhooks.receipts import apply_message_status

ACTOR = "notifications"
CHANNEL_INBOX = {NotificationChannel.WHATSAPP: "whatsapp_inbox_id", NotificationChannel.SMS: "sms_inbox_id",
                 NotificationChannel.EMAIL: "email_inbox_id"}
CHANNEL_SWITCH = {NotificationChannel.WHATSAPP: "whatsapp_enabled", NotificationChannel.SMS: "sms_enabled",
                  NotificationChannel.EMAIL: "email_enabled"}
ACTIVE = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)
OUTGOING_TYPES = (1, 3, "outgoing", "template")
CLOCK_SLACK_SECONDS = 300  # Chatwoot's clock and ours may differ a little
WRITE = "write"  # what delivery_steps yields: commit now


class DeliveryFailed(Exception):
    """A permanent problem: the notification fails with this reason (a person must fix something)."""


class DeliverySkipped(Exception):
    """Nothing is to be sent, by rule (channel off, opted out, no inbox for the channel...)."""


def notification_settings(tenant_id: str) -> NotificationSettings | None:
    """The tenant's notification_settings row."""
    return db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant_id))


def skip_reason(tenant_id: str, notification_type: str, channel: str, client: Client) -> str | None:
    """Why a notification must not be sent at all, or None."""
    if not resolve_settings(tenant_id).enabled:
        return "Chatwoot notifications are disabled for this salon"
    if notification_type == NotificationType.MARKETING and client.marketing_opt_out:
        return "the client opted out of marketing messages"
    if channel == NotificationChannel.PUSH:
        return "push notifications are not delivered through Chatwoot"
    column = CHANNEL_INBOX.get(NotificationChannel(channel))
    settings = notification_settings(tenant_id)
    if column and not getattr(settings, CHANNEL_SWITCH[channel], False):
        return f"the {channel} channel is turned off for this salon"
    if column and not getattr(settings, column, None):
        return f"no Chatwoot inbox is mapped for the {channel} channel"
    if channel == NotificationChannel.EMAIL and not client.email:
        return "the client has no email address"
    return None


def stale_reason(notification: Notification) -> str | None:
    """Why a reminder no longer fits its appointment (changed without passing through the booking API)."""
    if notification.type != NotificationType.APPOINTMENT_REMINDER or not notification.appointment_id:
        return None
    appointment = db.session.get(Appointment, notification.appointment_id)
    if appointment is None or appointment.status not in ACTIVE:
        return "the appointment is no longer scheduled"
    if appointment.starts_at <= utcnow():
        return "the appointment has already started"
    key = notification.idempotency_key or ""
    if key.startswith("reminder:") and not is_reminder_for(key, appointment.starts_at):
        return "the appointment was rescheduled"
    return None


def target_inbox(inbox_id: str | None, settings: NotificationSettings | None, channel: str) -> str:
    """The Chatwoot inbox for the channel: the configured one for CHATWOOT, else the mapped one."""
    column = CHANNEL_INBOX.get(NotificationChannel(channel))
    found = getattr(settings, column, None) if column else inbox_id
    if not found:
        raise DeliveryFailed("no Chatwoot inbox is configured for notifications")
    return str(found)


def client_phone(client: Client) -> Phone:
    """The client's canonical phone, or DeliveryFailed saying why it cannot be used."""
    region = db.session.scalar(select(Tenant.phone_region).where(Tenant.id == client.tenant_id)) or configured_region()
    try:
        return parse_phone(client.phone, region)
    except PhoneError as exc:
        raise DeliveryFailed(f"the client's phone cannot be used: {exc}") from exc


def delivery_steps(notification: Notification, uncertain: bool) -> Generator[str, None, None]:
    """Send a claimed notification, yielding where the caller commits; raises DeliverySkipped,
    DeliveryFailed or a Chatwoot error."""
    client = notification.client
    if client is None and notification.to_phone:
        yield from _deliver_to_number(notification, uncertain)
        return
    if client is None:
        raise DeliveryFailed("the client no longer exists")
    reason = skip_reason(notification.tenant_id, notification.type, notification.channel, client) \
        or stale_reason(notification)
    if reason:
        raise DeliverySkipped(reason)
    settings = require_settings(notification.tenant_id)
    ns = notification_settings(notification.tenant_id)
    inbox_id = target_inbox(settings.inbox_id, ns, notification.channel)
    phone = client_phone(client)
    yield WRITE  # nothing of ours may stay open while we wait for the lock
    beat = notification_lease(notification)
    api = ChatwootClient.from_settings(settings, retries=2, rate_limit_waits=0)
    api.sleep = functools.partial(beat.sleep, sleep=api.sleep)  # retry backoffs keep the leases alive
    try:
        with client_lock(client.id) as holder:
            beat.statements.append(renew_lock(client.id, holder))
            yield from _deliver_locked(api, beat, notification, client, phone, inbox_id, ns, uncertain)
    finally:
        api.close()


def notification_lease(notification: Notification) -> Heartbeat:
    """Renews this attempt's lease on the notification (while it is still this attempt's)."""
    attempt = notification.attempts
    return Heartbeat(lambda now: update(Notification).where(
        Notification.id == notification.id, Notification.status == NotificationStatus.PENDING,
        Notification.attempts == attempt).values(leased_until=lease_until(now)))


def _committed(beat: Heartbeat) -> Generator[str, None, None]:
    """A commit point: the caller commits, then the leases are renewed (when a third of them passed)."""
    yield WRITE
    beat.beat()


def _deliver_locked(api: ChatwootClient, beat: Heartbeat, notification: Notification, client: Client,
                    phone: Phone, inbox_id: str, ns: NotificationSettings | None,
                    uncertain: bool) -> Generator[str, None, None]:
    db.session.refresh(client)  # another delivery may have linked the contact while we waited
    db.session.refresh(notification)
    if notification.status != NotificationStatus.PENDING:
        return  # withdrawn (cancelled, rescheduled) while we waited
    conversation, created = yield from _conversation_for(api, beat, client, phone, inbox_id, notification.channel)
    notification.chatwoot_contact_id = client.chatwoot_contact_id or conversation.contact_id
    notification.chatwoot_conversation_id = conversation.id
    yield from _committed(beat)
    sent = _previous_send(api, notification, conversation.id) if uncertain and not created else None
    if sent is None:
        template = template_params(api, conversation, created, inbox_id, ns, notification)
        sent = _post_once(api, conversation.id, notification.message, template)
    mark_sent(notification, sent)
    if client.chatwoot_contact_id != notification.chatwoot_contact_id:
        notification.reason = (f"sent to Chatwoot contact {notification.chatwoot_contact_id}, which is linked to "
                               "another client; this client was not linked to it")
    yield WRITE  # before the lock is released: on SQLite an open write would block the release


def _conversation_for(api: ChatwootClient, beat: Heartbeat, client: Client, phone: Phone, inbox_id: str,
                      channel: str) -> Generator[str, None, tuple[Conversation, bool]]:
    """The client's open conversation in the inbox, or a new one; a stale contact id is re-resolved once."""
    linked = client.chatwoot_contact_id
    contact_id = linked or (yield from _resolve_contact(api, beat, client, phone, inbox_id, channel))
    try:
        return open_conversation(api, contact_id, inbox_id)
    except ChatwootNotFound as exc:
        if not linked:
            raise _not_found(contact_id, inbox_id, exc) from exc
    contact_id = yield from _resolve_contact(api, beat, client, phone, inbox_id, channel)  # merged or deleted
    try:
        return open_conversation(api, contact_id, inbox_id)
    except ChatwootNotFound as exc:
        raise _not_found(contact_id, inbox_id, exc) from exc


def _not_found(contact_id: str, inbox_id: str, exc: ChatwootNotFound) -> DeliveryFailed:
    return DeliveryFailed(f"Chatwoot could not find contact {contact_id} or inbox {inbox_id}: {exc.message}")


def _resolve_contact(api: ChatwootClient, beat: Heartbeat, client: Client, phone: Phone, inbox_id: str,
                     channel: str) -> Generator[str, None, str]:
    """Find the contact by canonical phone, else create it in the inbox; link it to the client (committed)."""
    email = client.email if channel == NotificationChannel.EMAIL else None
    contact, _ = ensure_contact(api, phone, client.full_name, email=email, inbox_id=inbox_id)
    owner = contact_owner(client.tenant_id, contact.id)
    if owner is not None and owner.id != client.id:
        # One contact, one client: the message still reaches the person's number, the link stays where it is.
        record("client.link_refused", tenant_id=client.tenant_id, by=ACTOR, target_type="client",
               target_id=client.id, contact_id=contact.id, linked_to=owner.id)
    else:
        link_client(None, client, contact.id, ACTOR)
    yield from _committed(beat)
    return contact.id


def _deliver_to_number(notification: Notification, uncertain: bool) -> Generator[str, None, None]:
    """A test message typed for a number no client has: the number's contact (found or created), never linked."""
    if not resolve_settings(notification.tenant_id).enabled:
        raise DeliverySkipped("Chatwoot notifications are disabled for this salon")
    settings = require_settings(notification.tenant_id)
    inbox_id = target_inbox(settings.inbox_id, None, notification.channel)
    region = db.session.scalar(select(Tenant.phone_region).where(Tenant.id == notification.tenant_id)) or "MX"
    try:
        phone = parse_phone(notification.to_phone, region)
    except PhoneError as exc:
        raise DeliveryFailed(f"the phone cannot be used: {exc}") from exc
    yield WRITE  # no transaction open while Chatwoot is called
    api = ChatwootClient.from_settings(settings, retries=2, rate_limit_waits=0)
    try:
        contact, _ = ensure_contact(api, phone, phone.key, inbox_id=inbox_id)
        conversation, created = open_conversation(api, contact.id, inbox_id)
        sent = _previous_send(api, notification, conversation.id) if uncertain and not created else None
        sent = sent or _post_once(api, conversation.id, notification.message, None)
    finally:
        api.close()
    notification.chatwoot_contact_id, notification.chatwoot_conversation_id = contact.id, conversation.id
    mark_sent(notification, sent)


def _previous_send(api: ChatwootClient, notification: Notification, conversation_id: str) -> Message | None:
    """Our message from an attempt whose outcome we never learned, if it reached the conversation."""
    claimed = set(db.session.scalars(select(Notification.chatwoot_message_id).where(
        Notification.client_id == notification.client_id, Notification.id != notification.id,
        Notification.chatwoot_message_id.is_not(None))))
    since = notification.created_at.timestamp() - CLOCK_SLACK_SECONDS
    for message in reversed(api.list_messages(conversation_id)):
        raw = message.raw
        if raw.get("message_type") in OUTGOING_TYPES and not raw.get("private") \
                and message.content == notification.message and message.id not in claimed \
                and (raw.get("created_at") or 0) >= since:
            return message
    return None


def _post_once(api: ChatwootClient, conversation_id: str, content: str, template: dict | None) -> Message:
    """Post without client-side retries: a 5xx to a POST may come from a proxy after Chatwoot saved it."""
    retries, api.retries = api.retries, 0
    try:
        return api.create_message(conversation_id, content, template_params=template)
    except ChatwootTransientError as exc:
        exc.maybe_applied = exc.maybe_applied or exc.status is not None
        raise
    finally:
        api.retries = retries


def mark_sent(notification: Notification, message: Message) -> None:
    """Record the Chatwoot message and move the row to sent."""
    notification.status = NotificationStatus.SENT
    notification.chatwoot_message_id = message.id
    notification.sent_at = utcnow()
    notification.reason = notification.last_error = None
    notification.leased_until = notification.next_attempt_at = None
    logged = log_sent_message(notification.tenant_id, "notification_sent", client_id=notification.client_id,
                              contact_id=notification.chatwoot_contact_id,
                              conversation_id=notification.chatwoot_conversation_id, message_id=message.id,
                              content=notification.message, status=message.status)
    apply_message_status(notification.tenant_id, message.id, logged.status)  # a receipt that came first
