"""notification_service: the seed's sendNotification in Python, its rules, idempotency, retry and sync mode."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db, huey
from app.models import (
    ChatwootConfig,
    Notification,
    NotificationChannel,
    NotificationSettings,
    NotificationStatus,
    NotificationType,
)
from app.services.notification_service import NotificationError, notification_service
from tests.fixtures.notifications import drain, fresh, make_appointment, make_client, outgoing


def _settings(tenant) -> NotificationSettings:
    return db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification))


@pytest.fixture
def midday():
    """Reminders and marketing wait out the quiet hours (21:00–08:00 in the salon): run these at noon."""
    with time_machine.travel(datetime(2026, 11, 11, 18, 0, tzinfo=UTC)):  # 12:00 in Mexico City
        yield


def test_the_seed_example_runs_as_shown_and_is_delivered(wired_tenant, chatwoot, midday):
    make_client(wired_tenant)
    from app.models import NotificationChannel, NotificationType
    from app.services.notification_service import notification_service
    result = notification_service.send_notification(type=NotificationType.APPOINTMENT_REMINDER,
        channel=NotificationChannel.CHATWOOT, recipient_id="client-id",
        message="Hola {{clientName}}, te recordamos tu cita mañana a las {{appointmentTime}}",
        variables={"clientName": "Juan Pérez", "appointmentDate": "2024-11-13", "appointmentTime": "10:00"})

    assert isinstance(result, Notification) and result.id
    assert result.status == NotificationStatus.PENDING
    db.session.remove()  # stored for real: a new session sees it
    stored = db.session.get(Notification, result.id)
    assert stored.message == "Hola Juan Pérez, te recordamos tu cita mañana a las 10:00"
    assert stored.variables["appointmentDate"] == "2024-11-13"
    assert huey.pending_count() == 1
    assert drain() == 1
    assert fresh(result.id).status == NotificationStatus.SENT
    assert [m["content"] for m in outgoing(chatwoot)] == [stored.message]


def test_a_plain_message_as_in_the_seed_document(wired_tenant, chatwoot, midday):
    make_client(wired_tenant)
    result = notification_service.send_notification(
        type=NotificationType.APPOINTMENT_REMINDER, channel=NotificationChannel.CHATWOOT, recipient_id="client-id",
        message="Hola! Te recordamos tu cita mañana a las 10:00 AM", sync=True,
        variables={"clientName": "Juan Pérez", "appointmentDate": "2024-11-13", "appointmentTime": "10:00"})
    assert result.status == NotificationStatus.SENT
    assert result.chatwoot_message_id and result.chatwoot_conversation_id and result.chatwoot_contact_id
    assert [m["content"] for m in outgoing(chatwoot)] == ["Hola! Te recordamos tu cita mañana a las 10:00 AM"]


def test_a_missing_variable_is_an_error_before_anything_is_stored(wired_tenant, chatwoot):
    make_client(wired_tenant)
    with pytest.raises(NotificationError) as error:
        notification_service.send_notification(
            NotificationType.APPOINTMENT_REMINDER, NotificationChannel.CHATWOOT, "client-id",
            message="Hola {{clientName}}, tu cita es a las {{appointmentTime}}")
    assert error.value.field == "variables" and "appointmentTime" in str(error.value)
    with pytest.raises(NotificationError):
        notification_service.send_notification(
            NotificationType.TEST, NotificationChannel.CHATWOOT, "client-id", message="Hola {{clientName}}",
            variables={"clientName": "  "})
    assert _count() == 0 and huey.pending_count() == 0 and chatwoot.sim.count() == 0


def test_default_text_uses_the_client_salon_and_appointment(wired_tenant, chatwoot):
    client = make_client(wired_tenant)
    appointment = make_appointment(wired_tenant, client, datetime(2026, 11, 13, 16, 0, tzinfo=UTC))
    result = notification_service.send_notification(
        NotificationType.APPOINTMENT_CONFIRMATION, NotificationChannel.CHATWOOT, client.id,
        appointment_id=appointment.id, sync=True)
    assert result.message == ("Hola Juan Pérez, tu cita en Salón Uno quedó confirmada para el viernes 13 de "
                              "noviembre de 2026 a las 10:00. ¡Te esperamos!")
    assert outgoing(chatwoot)[0]["content"] == result.message


def test_the_same_idempotency_key_returns_the_first_notification(wired_tenant, chatwoot):
    make_client(wired_tenant)
    first = notification_service.send_notification(NotificationType.TEST, "CHATWOOT", "client-id",
                                                   idempotency_key="cp-123", sync=True)
    again = notification_service.send_notification(NotificationType.TEST, "CHATWOOT", "client-id",
                                                   idempotency_key="cp-123", sync=True)
    assert again.id == first.id and _count() == 1
    assert len(outgoing(chatwoot)) == 1


def test_disabled_channel_skips_with_a_reason(wired_tenant, chatwoot):
    make_client(wired_tenant)
    _settings(wired_tenant).chatwoot_enabled = False
    db.session.commit()
    result = notification_service.send_notification(NotificationType.TEST, "CHATWOOT", "client-id", sync=True)
    assert result.status == NotificationStatus.SKIPPED and "disabled" in result.reason
    assert chatwoot.sim.count() == 0 and huey.pending_count() == 0


def test_option_b_enable_notifications_also_enables_the_channel(wired_tenant, chatwoot):
    make_client(wired_tenant)
    _settings(wired_tenant).chatwoot_enabled = False
    db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == wired_tenant.id)) \
        .enable_notifications = True
    db.session.commit()
    result = notification_service.send_notification(NotificationType.TEST, "CHATWOOT", "client-id", sync=True)
    assert result.status == NotificationStatus.SENT


def test_marketing_never_reaches_opted_out_clients_but_transactional_does(wired_tenant, chatwoot, midday):
    make_client(wired_tenant, marketing_opt_out=True)
    marketing = notification_service.send_notification(NotificationType.MARKETING, "CHATWOOT", "client-id",
                                                       message="2x1 en cortes", sync=True)
    assert marketing.status == NotificationStatus.SKIPPED and "opted out" in marketing.reason
    reminder = notification_service.send_notification(NotificationType.TEST, "CHATWOOT", "client-id", sync=True)
    assert reminder.status == NotificationStatus.SENT
    assert [m["content"] for m in outgoing(chatwoot)] == [reminder.message]


@pytest.mark.parametrize("channel, reason", [
    ("PUSH", "push notifications are not delivered"),
    ("WHATSAPP", "no Chatwoot inbox is mapped for the WHATSAPP channel"),
    ("SMS", "no Chatwoot inbox is mapped for the SMS channel"),
    ("EMAIL", "no Chatwoot inbox is mapped for the EMAIL channel"),
])
def test_channels_without_an_inbox_are_skipped(wired_tenant, chatwoot, channel, reason):
    make_client(wired_tenant)
    settings = _settings(wired_tenant)
    settings.whatsapp_enabled = settings.sms_enabled = settings.email_enabled = True
    db.session.commit()
    result = notification_service.send_notification(NotificationType.TEST, channel, "client-id", sync=True)
    assert result.status == NotificationStatus.SKIPPED and reason in result.reason
    assert chatwoot.sim.count() == 0


@pytest.mark.parametrize("channel", ["WHATSAPP", "SMS", "EMAIL"])
def test_a_switched_off_channel_is_skipped_even_with_an_inbox(wired_tenant, chatwoot, channel):
    """The seed's whatsapp_enabled / sms_enabled / email_enabled switches are honoured."""
    make_client(wired_tenant, email="ana@example.com")
    settings = _settings(wired_tenant)
    settings.whatsapp_inbox_id = settings.sms_inbox_id = settings.email_inbox_id = str(chatwoot.whatsapp_inbox_id)
    settings.whatsapp_enabled = settings.sms_enabled = settings.email_enabled = False
    db.session.commit()
    result = notification_service.send_notification(NotificationType.TEST, channel, "client-id", sync=True)
    assert result.status == NotificationStatus.SKIPPED
    assert result.reason == f"the {channel} channel is turned off for this salon"
    assert chatwoot.sim.count() == 0


def test_a_mapped_whatsapp_channel_goes_to_that_inbox(wired_tenant, chatwoot):
    make_client(wired_tenant)
    settings = _settings(wired_tenant)
    settings.whatsapp_inbox_id = str(chatwoot.whatsapp_inbox_id)
    settings.whatsapp_enabled = True
    settings.whatsapp_templates = {"TEST": {"name": "recordatorio_cita", "language": "es_MX",
                                            "params": ["clientName"]}}
    db.session.commit()
    result = notification_service.send_notification(NotificationType.TEST, "WHATSAPP", "client-id", sync=True)
    assert result.status == NotificationStatus.SENT
    conversation = chatwoot.sim.conversations(1)[0]
    assert conversation["inbox_id"] == chatwoot.whatsapp_inbox_id


def test_invalid_input_names_the_field(wired_tenant, other_tenant):
    make_client(wired_tenant)
    cases = [({"type": "REMINDER"}, "type"), ({"channel": "FAX"}, "channel"), ({"recipient_id": ""}, "recipient_id"),
             ({"recipient_id": "nobody"}, "recipient_id"), ({"tenant_id": other_tenant.id}, "recipient_id"),
             ({"appointment_id": "nope"}, "appointment_id"), ({"variables": ["x"]}, "variables"),
             ({"variables": {"a": {"b": 1}}}, "variables"), ({"idempotency_key": "k" * 201}, "idempotency_key")]
    for overrides, field in cases:
        arguments = {"type": "TEST", "channel": "CHATWOOT", "recipient_id": "client-id", **overrides}
        with pytest.raises(NotificationError) as error:
            notification_service.send_notification(**arguments)
        assert error.value.field == field, overrides
    assert _count() == 0


def test_marketing_in_quiet_hours_waits_for_their_end(wired_tenant, chatwoot):
    make_client(wired_tenant)
    with time_machine.travel(datetime(2026, 11, 13, 23, 30, tzinfo=UTC), tick=False):  # 17:30 in Mexico City
        daytime = notification_service.send_notification(NotificationType.MARKETING, "CHATWOOT", "client-id",
                                                         sync=True)
    assert daytime.status == NotificationStatus.SENT
    with time_machine.travel(datetime(2026, 11, 14, 4, 0, tzinfo=UTC), tick=False):  # 22:00 local
        night = notification_service.send_notification(NotificationType.MARKETING, "CHATWOOT", "client-id",
                                                       message="Promo de noche", sync=True)
        assert night.status == NotificationStatus.PENDING and night.attempts == 0
        assert night.next_attempt_at == datetime(2026, 11, 14, 14, 0, tzinfo=UTC)  # 08:00 local
        assert night.scheduled_for == night.next_attempt_at
        queued = huey.dequeue()  # the worker keeps it in its schedule until the eta
        assert queued.args == (night.id,) and queued.eta == datetime(2026, 11, 14, 14, 0)
        urgent = notification_service.send_notification(NotificationType.APPOINTMENT_CANCELLATION, "CHATWOOT",
                                                        "client-id", message="Cancelada", sync=True)
        assert urgent.status == NotificationStatus.SENT  # transactional notices ignore quiet hours
    with time_machine.travel(datetime(2026, 11, 14, 14, 0, 5, tzinfo=UTC), tick=False):
        assert notification_service.deliver(night.id).status == NotificationStatus.SENT
    assert [m["content"] for m in outgoing(chatwoot)][-1] == "Promo de noche"


def test_a_failed_notification_can_be_retried(wired_tenant, chatwoot):
    make_client(wired_tenant)
    _settings(wired_tenant).chatwoot_api_token = "wrong"
    db.session.commit()
    failed = notification_service.send_notification(NotificationType.TEST, "CHATWOOT", "client-id", sync=True)
    assert failed.status == NotificationStatus.FAILED
    with pytest.raises(NotificationError):
        notification_service.retry(failed.id, "another-tenant")
    _settings(wired_tenant).chatwoot_api_token = "tok-admin"
    db.session.commit()
    retried = notification_service.retry(failed.id, wired_tenant.id)
    assert retried.status == NotificationStatus.PENDING and retried.reason is None
    db.session.commit()
    assert huey.pending_count() == 1
    drain()
    assert fresh(failed.id).status == NotificationStatus.SENT
    with pytest.raises(NotificationError, match="only failed"):
        notification_service.retry(failed.id, wired_tenant.id)


def test_create_notification_waits_for_the_commit_before_enqueueing(wired_tenant):
    make_client(wired_tenant)
    notification_service.create_notification(NotificationType.TEST, "CHATWOOT", "client-id")
    assert huey.pending_count() == 0
    db.session.rollback()
    assert huey.pending_count() == 0 and _count() == 0
    notification_service.create_notification(NotificationType.TEST, "CHATWOOT", "client-id")
    db.session.commit()
    assert huey.pending_count() == 1


def test_cli_retries_a_failed_notification_now(app, wired_tenant, chatwoot):
    make_client(wired_tenant)
    _settings(wired_tenant).chatwoot_api_token = "wrong"
    db.session.commit()
    failed = notification_service.send_notification(NotificationType.TEST, "CHATWOOT", "client-id", sync=True)
    runner = app.test_cli_runner()
    again = runner.invoke(args=["notifications", "retry", failed.id])
    assert again.exit_code == 1 and "failed\tChatwoot refused the access token" in again.output
    _settings(wired_tenant).chatwoot_api_token = "tok-admin"
    db.session.commit()
    fixed = runner.invoke(args=["notifications", "retry", failed.id])
    assert fixed.exit_code == 0 and fixed.output.startswith(f"{failed.id}\tsent")
    assert len(outgoing(chatwoot)) == 1
    unknown = runner.invoke(args=["notifications", "retry", "nope"])
    assert unknown.exit_code == 1 and "no notification nope" in unknown.output
