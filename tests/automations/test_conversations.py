"""Automations end to end: the simulator's customer writes, its signed webhook reaches the served app, the
worker answers in her conversation (see scenario.py for the frozen clock and the salon)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import select

from app.extensions import db
from app.jobs.automations import requeue_stuck_automation_work
from app.models import (
    AppointmentStatus,
    AutomationReply,
    ChatwootInteraction,
    Client,
    Notification,
    NotificationStatus,
    NotificationType,
)
from app.services.automations.hours import is_open
from app.services.automations.settings import DEFAULT_TEXTS, automation_settings, load_public_holidays
from app.services.automations.text import normalize
from app.services.notification_service import notification_service
from app.services.settings.api_keys import create_api_key
from tests.automations.scenario import ACCOUNT, MONDAY_11, answers, customer_writes, remind, status
from tests.fixtures.notifications import make_appointment
from tests.fixtures.webhooks import SECRET, drain


def test_si_after_a_reminder_confirms_that_appointment_and_answers_once(salon, chatwoot):
    make_appointment(salon, db.session.get(Client, "maria"), MONDAY_11 + timedelta(days=3), appointment_id="appt-2")
    remind("appt-1")
    landed = customer_writes(chatwoot, "¡Sí! ✅")
    assert status("appt-1") == AppointmentStatus.CONFIRMED and status("appt-2") == AppointmentStatus.SCHEDULED
    sent = answers(chatwoot, landed.conversation_id)
    assert len(sent) == 1 and sent[0].startswith("¡Gracias, María López! Tu cita del martes 8 de diciembre")
    logged = db.session.scalars(select(ChatwootInteraction.event).where(ChatwootInteraction.client_id == "maria"))
    assert {"appointment_confirmed", "automation_reply"} <= set(logged)


def test_the_clients_timeline_shows_the_answer_and_the_reply(salon, chatwoot, admin):
    remind()
    customer_writes(chatwoot, "1")
    page = admin.get("/t/uno/interactions/client/maria").text
    assert "Cita confirmada por la clienta" in page and "Respuesta automática" in page
    assert "¡Gracias, María López!" in page


def test_two_marks_cancel_requested_and_never_cancels(app, salon, chatwoot):
    remind()
    landed = customer_writes(chatwoot, " 2 ")
    assert status() == AppointmentStatus.CANCEL_REQUESTED
    _key, plaintext = create_api_key(salon, "CitaPlanner")
    db.session.commit()
    shown = app.test_client().get("/api/v1/appointments/appt-1", headers={"Authorization": f"Bearer {plaintext}"})
    assert shown.status_code == 200 and shown.get_json()["status"] == "cancel_requested"
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


def test_a_public_holiday_loaded_for_mexico_is_closed_all_day(salon, chatwoot, clock):
    split_shift(salon)
    added = load_public_holidays(salon.id, "MX", 2026)
    db.session.commit()
    assert "2026-12-25" in added and "2026-09-16" in added
    christmas_noon = datetime(2026, 12, 25, 18, 0, tzinfo=UTC)  # Friday 12:00, inside the morning shift
    settings = automation_settings(salon.id)
    assert not is_open(christmas_noon, salon.timezone, settings.schedule, settings.closed_dates)
    assert is_open(christmas_noon - timedelta(days=1), salon.timezone, settings.schedule, settings.closed_dates)
    clock.move_to(christmas_noon)
    landed = customer_writes(chatwoot, "Hola")
    assert answers(chatwoot, landed.conversation_id)[0].endswith("del lunes 28 de diciembre de 2026 a las 10:00.")
    assert load_public_holidays(salon.id, "MX", 2026) == []  # loading twice adds nothing


def test_the_customers_words_are_read_without_case_accents_punctuation_or_emoji():
    assert normalize("¡Sí! ✅") == "si"
    assert normalize("  CANCELAR   Suscripción!!  ") == "cancelar suscripcion"
    assert normalize("👍 OK 👍") == "ok"


def test_a_reply_whose_queue_message_was_lost_is_sent_by_the_sweep(salon, chatwoot, clock):
    remind()
    landed, _deliveries = chatwoot.sim.customer_writes(ACCOUNT, "+525512345678", "Sí")
    drain()  # the webhook is processed; its reply job runs too
    db.session.expire_all()
    reply = db.session.scalar(select(AutomationReply))
    reply.status, reply.attempts, reply.sent_at = "pending", 0, None  # as if the job had never run
    chatwoot_messages = len(answers(chatwoot, landed.conversation_id))
    db.session.commit()
    clock.shift(timedelta(minutes=3))
    requeue_stuck_automation_work()
    drain()
    db.session.expire_all()
    assert db.session.get(AutomationReply, reply.id).status == "sent"
    assert len(answers(chatwoot, landed.conversation_id)) == chatwoot_messages + 1


def _one_click_form(page: str) -> dict[str, str]:
    """The hidden fields of the simulator page's one-click replies, as a browser would send them."""
    form = re.search(r'<form[^>]*class="one-click"[^>]*>(.*?)</form>', page, re.S).group(1)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_the_simulator_plays_si_to_the_reminder_in_one_click(salon, chatwoot):
    remind("appt-1")
    reminder = db.session.scalar(select(Notification).where(Notification.type == NotificationType.APPOINTMENT_REMINDER))
    page = requests.get(f"{chatwoot.url}/app/accounts/{ACCOUNT}/conversations/{reminder.chatwoot_conversation_id}",
                        timeout=10)
    assert page.status_code == 200 and "Responder «Sí»" in page.text
    clicked = requests.post(f"{chatwoot.url}/simulator/incoming", data={**_one_click_form(page.text), "text": "Sí"},
                            timeout=30, allow_redirects=False)
    assert clicked.status_code == 303, clicked.text
    drain()
    assert status("appt-1") == AppointmentStatus.CONFIRMED
    landed = int(clicked.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert [m for m in answers(chatwoot, landed) if m.startswith("¡Gracias, María López!")] != []
    assert db.session.query(AutomationReply).count() == 1, "answered once"
