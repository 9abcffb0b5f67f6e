"""Automations end to end: the simulator's customer writes, its signed webhook reaches the served app, the
worker answers in her conversation. The clock is frozen at a known salon hour (America/Mexico_City, UTC-6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    AutomationReply,
    ChatwootInteraction,
    Client,
    NotificationStatus,
    NotificationType,
)
from app.services.automations.settings import DEFAULT_TEXTS, automation_settings
from app.services.notification_service import notification_service
from tests.fixtures.notifications import make_appointment, make_client
from tests.fixtures.webhooks import SECRET, URL, drain, served, wired_hooked

__all__ = ["wired_hooked"]  # fixture used below
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


def test_si_after_a_reminder_confirms_that_appointment_and_answers_once(salon, chatwoot):
    make_appointment(salon, db.session.get(Client, "maria"), MONDAY_11 + timedelta(days=3), appointment_id="appt-2")
    remind("appt-1")
    landed = customer_writes(chatwoot, "¡Sí! ✅")
    assert status("appt-1") == AppointmentStatus.CONFIRMED and status("appt-2") == AppointmentStatus.SCHEDULED
    sent = answers(chatwoot, landed.conversation_id)
    assert len(sent) == 1 and sent[0].startswith("¡Gracias, María López! Tu cita del martes 8 de diciembre")
    logged = db.session.scalars(select(ChatwootInteraction.event).where(ChatwootInteraction.client_id == "maria"))
    assert {"appointment_confirmed", "automation_reply"} <= set(logged)


def test_two_marks_cancel_requested_and_never_cancels(salon, chatwoot):
    remind()
    landed = customer_writes(chatwoot, " 2 ")
    assert status() == AppointmentStatus.CANCEL_REQUESTED
    assert answers(chatwoot, landed.conversation_id)[0].startswith("Gracias por avisarnos, María López.")


def test_a_redelivered_webhook_does_not_answer_twice(salon, chatwoot):
    remind()
    landed = customer_writes(chatwoot, "confirmo")
    body = chatwoot.sim.build_message_created(ACCOUNT, landed.message_id)
    for _ in range(2):  # Chatwoot delivers the same message again
        assert chatwoot.sim.send_webhook(chatwoot_url(chatwoot), body, SECRET).status_code == 200
    drain()
    assert len(answers(chatwoot, landed.conversation_id)) == 1
    assert db.session.scalar(select(AutomationReply.status)) == "sent"


def chatwoot_url(chatwoot) -> str:
    return chatwoot.sim.webhooks(ACCOUNT)[0]["url"]


def test_a_reply_with_nothing_pending_or_not_an_answer_is_left_to_the_agents(salon, chatwoot):
    landed = customer_writes(chatwoot, "Sí")  # no reminder was sent
    remind()
    customer_writes(chatwoot, "¿Puedo llevar a mi hija?")
    assert status() == AppointmentStatus.SCHEDULED
    assert answers(chatwoot, landed.conversation_id) == []


def test_baja_opts_out_marketing_is_skipped_and_reminders_still_go(salon, chatwoot):
    landed = customer_writes(chatwoot, "BAJA")
    assert db.session.get(Client, "maria").marketing_opt_out is True
    assert answers(chatwoot, landed.conversation_id) == [
        f"Listo, ya no te enviaremos promociones de {salon.name}. Seguirás recibiendo los avisos de tus citas. "
        "Escribe ALTA si cambias de opinión."]
    marketing = notification_service.send_notification(NotificationType.MARKETING, "CHATWOOT", "maria", sync=True)
    assert marketing.status == NotificationStatus.SKIPPED
    remind()
    customer_writes(chatwoot, "Alta.")
    assert db.session.get(Client, "maria").marketing_opt_out is False


def split_shift(tenant) -> None:
    settings = automation_settings(tenant.id)
    settings.out_of_hours_enabled = True
    settings.schedule = {str(day): [["10:00", "14:00"], ["16:00", "20:00"]] for day in range(5)}
    db.session.commit()


def test_out_of_hours_reply_once_per_break_and_none_when_open(salon, chatwoot, clock):
    split_shift(salon)
    clock.move_to(datetime(2026, 12, 7, 21, 30, tzinfo=UTC))  # 15:30: between the two shifts
    landed = customer_writes(chatwoot, "Hola, ¿tienen lugar hoy?")
    expected = (f"Gracias por escribir a {salon.name}. En este momento estamos cerrados; te respondemos a partir "
                "del lunes 7 de diciembre de 2026 a las 16:00.")
    assert answers(chatwoot, landed.conversation_id) == [expected]
    clock.move_to(datetime(2026, 12, 7, 21, 50, tzinfo=UTC))  # 15:50: same break
    customer_writes(chatwoot, "¿Hola?")
    clock.move_to(datetime(2026, 12, 7, 22, 5, tzinfo=UTC))  # 16:05: open
    customer_writes(chatwoot, "¿Siguen ahí?")
    assert answers(chatwoot, landed.conversation_id) == [expected]


def test_out_of_hours_is_off_until_the_salon_turns_it_on(salon, chatwoot, clock):
    clock.move_to(datetime(2026, 12, 7, 21, 30, tzinfo=UTC))
    landed = customer_writes(chatwoot, "Hola")
    assert answers(chatwoot, landed.conversation_id) == []
    assert DEFAULT_TEXTS["out_of_hours_text"]  # the text is ready for when it is on
