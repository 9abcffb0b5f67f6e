"""A small hand-built history whose figures are known (tenant "uno", America/Mexico_City, UTC-6).

Now is Friday 20 November 2026, 12:00 in the salon. The 7-day period is 14–20 November.
- Ana (contact k1, a client since October) first wrote on 10 November (outside the period). On the 18th
  at 09:00 she writes again in a new conversation c1; a bot answers at 09:00:30 (automatic: not a reply),
  an agent at 09:05 (300 s); she writes once more at 09:10.
- Bea (contact k2) writes for the first time on the 18th at 23:30 (05:30 UTC on the 19th: still the 18th in the
  salon); an agent answers at 00:10 on the 19th (2,400 s, counted on the 18th). She became a client on the
  19th and booked an appointment for the 25th that day: converted, and a new client.
- Cora (contact k3, a client since 2025) writes for the first time on the 19th at 10:00 (c3); only an automatic
  reply follows, so it is unanswered. Her appointment stored on the 19th had started on 1 November (an
  import of the past): not a conversion.
- The 19th also has a confirmation notification sent (outgoing).
- Reminders sent on the 16th: delivered (appointment a1, a no-show on the 17th), read (a2, completed on the
  17th), sent but never delivered (a5, in the future). Appointments without a reminder: a3 no-show and a4
  completed on the 16th; a6 cancelled on the 16th (never counted).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Appointment, ChatwootInteraction, Client, Notification, Tenant

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
ZONE_OFFSET = timedelta(hours=6)  # Mexico City is UTC-6 all year
PHONES = {"ana": "+525510000001", "bea": "+525510000002", "cora": "+525510000003"}


def local(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    """A wall-clock time in the salon as a UTC instant."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC) + ZONE_OFFSET


def message(tenant: Tenant, at: datetime, direction: str, conversation: str, contact: str, *,
            event: str = "message_created", sender_kind: str | None = None) -> None:
    db.session.add(ChatwootInteraction(tenant_id=tenant.id, event=event, direction=direction,
                                       conversation_id=conversation, chatwoot_contact_id=contact, created_at=at,
                                       sender_kind=sender_kind or ("automatic" if direction == "outgoing"
                                                                   and event != "message_created" else None)))


def _client(tenant: Tenant, client_id: str, contact: str, created: datetime) -> Client:
    client = Client(id=client_id, tenant_id=tenant.id, first_name=client_id.title(), last_name="Prueba",
                    phone=PHONES[client_id], chatwoot_contact_id=contact, created_at=created)
    db.session.add(client)
    return client


def _appointment(tenant, client, appointment_id, starts_at, status, created) -> None:
    db.session.add(Appointment(id=appointment_id, tenant_id=tenant.id, client_id=client.id, starts_at=starts_at,
                               status=status, created_at=created))


def _reminder(tenant, client, appointment_id, status, sent_at) -> None:
    db.session.add(Notification(tenant_id=tenant.id, type="APPOINTMENT_REMINDER", channel="CHATWOOT",
                                client_id=client.id, appointment_id=appointment_id, message="Recordatorio",
                                status=status, attempts=1, sent_at=sent_at, created_at=sent_at))


def build(tenant: Tenant) -> None:
    ana = _client(tenant, "ana", "k1", local(1, 9, month=10))
    bea = _client(tenant, "bea", "k2", local(19, 9))
    cora = _client(tenant, "cora", "k3", local(1, 9, month=6))
    db.session.flush()
    message(tenant, local(10, 11), "incoming", "c0", "k1")
    message(tenant, local(18, 9), "incoming", "c1", "k1")
    message(tenant, local(18, 9, 0, 30), "outgoing", "c1", "k1", sender_kind="automatic")
    message(tenant, local(18, 9, 5), "outgoing", "c1", "k1", sender_kind="person")
    message(tenant, local(18, 9, 10), "incoming", "c1", "k1")
    message(tenant, local(18, 23, 30), "incoming", "c2", "k2")
    message(tenant, local(19, 0, 10), "outgoing", "c2", "k2", sender_kind="person")
    message(tenant, local(19, 10), "incoming", "c3", "k3")
    message(tenant, local(19, 10, 1), "outgoing", "c3", "k3", event="automation_reply")
    message(tenant, local(19, 12), "outgoing", "c9", "k1", event="notification_sent")
    _appointment(tenant, bea, "b1", local(25, 10), "scheduled", local(19, 9, 30))
    _appointment(tenant, cora, "old", local(1, 10), "completed", local(19, 11))
    _appointment(tenant, ana, "a1", local(17, 10), "no_show", local(1, 9))
    _appointment(tenant, ana, "a2", local(17, 12), "completed", local(1, 9))
    _appointment(tenant, ana, "a3", local(16, 10), "no_show", local(1, 9))
    _appointment(tenant, ana, "a4", local(16, 12), "completed", local(1, 9))
    _appointment(tenant, ana, "a5", local(27, 10), "scheduled", local(1, 9))
    _appointment(tenant, ana, "a6", local(16, 15), "cancelled", local(1, 9))
    _reminder(tenant, ana, "a1", "delivered", local(16, 10))
    _reminder(tenant, ana, "a2", "read", local(16, 11))
    _reminder(tenant, ana, "a5", "sent", local(16, 12))
    db.session.commit()
