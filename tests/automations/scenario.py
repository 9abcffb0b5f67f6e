"""The automation scenario: María, her appointment tomorrow, the simulator's account webhook on the served app.

The clock is frozen at a known salon hour (America/Mexico_City, UTC-6), so nothing depends on when tests run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.extensions import db
from app.models import Appointment, NotificationStatus, NotificationType
from app.services.notification_service import notification_service
from tests.fixtures.notifications import make_appointment, make_client
from tests.fixtures.webhooks import SECRET, URL, drain, served

ACCOUNT = 1
PHONE = "+525512345678"
MONDAY_11 = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # Monday 7 December 2026, 11:00 in Mexico City


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_11, tick=True) as traveller:
        yield traveller


@pytest.fixture
def salon(app, clock, wired_hooked, chatwoot):
    """María with an appointment tomorrow at 11:00 and the simulator's account webhook pointing at the app."""
    client = make_client(wired_hooked, client_id="maria", phone=PHONE, first_name="María", last_name="López")
    make_appointment(wired_hooked, client, MONDAY_11 + timedelta(days=1), appointment_id="appt-1",
                     service_name="Corte")
    with served(app) as base:
        chatwoot.sim.add_webhook(ACCOUNT, base + URL, secret=SECRET)
        yield wired_hooked


def remind(appointment_id: str = "appt-1") -> None:
    row = notification_service.send_notification(NotificationType.APPOINTMENT_REMINDER, "CHATWOOT", "maria",
                                                 appointment_id=appointment_id, sync=True)
    assert row.status == NotificationStatus.SENT


def customer_writes(chatwoot, text: str):
    """She writes on WhatsApp; the simulator delivers its signed webhooks; the worker runs."""
    landed, deliveries = chatwoot.sim.customer_writes(ACCOUNT, PHONE, text)
    assert deliveries and all(d.status == 200 for d in deliveries), [(d.event, d.status) for d in deliveries]
    drain()
    db.session.expire_all()
    return landed


def answers(chatwoot, conversation_id: int) -> list[str]:
    """Our messages in her conversation, oldest first."""
    return [m["content"] for m in chatwoot.sim.messages(ACCOUNT, conversation_id) if m["message_type"] == 1]


def status(appointment_id: str = "appt-1") -> str:
    db.session.expire_all()
    return db.session.get(Appointment, appointment_id).status


