"""The worker's side of webhooks: linking, the unmatched queue, receipts, the log, retries and replays."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from app.chatwoot.client import client_for_tenant
from app.chatwoot.types import Message
from app.extensions import db, huey
from app.jobs.webhooks import process_webhook_event, requeue_stuck_webhook_events
from app.models import (
    AuditLog,
    ChatwootConfig,
    ChatwootInteraction,
    Client,
    Notification,
    NotificationStatus,
    UnmatchedContact,
    WebhookEvent,
    WebhookStatus,
    utcnow,
)
from app.services.clients.records import upsert_client
from app.services.contacts.interactions import log_sent_message
from app.services.notifications.delivery import mark_sent
from app.services.webhooks.processing import MAX_ATTEMPTS, claim_event
from app.services.webhooks.replay import ReplayError, replay_event, replay_failed
from tests.fixtures.plans import query_plans
from tests.fixtures.webhooks import (
    EXAMPLES,
    SEED_PAYLOAD,
    URL,
    drain,
    example,
    hooked,
    post,
    stored,
    wired_hooked,
)

__all__ = ["hooked", "wired_hooked"]  # fixtures used below
ACCOUNT = 1


@pytest.fixture
def http(app):
    return app.test_client()


def add_client(tenant, phone: str, first: str = "María", last: str = "López") -> Client:
    client = upsert_client(tenant, {"first_name": first, "last_name": last, "phone": phone}).obj
    db.session.commit()
    return client


def deliver(http, payload, **kwargs) -> WebhookEvent:
    """POST, run the worker, return the stored event."""
    answer = post(http, payload, **kwargs).get_json()
    assert answer["success"] is True and answer["status"] in ("accepted", "duplicate"), answer
    drain()
    db.session.expire_all()
    return db.session.get(WebhookEvent, answer["event_id"])


def customer_writes(chatwoot, phone: str | None, content: str = "Hola, quiero una cita", name: str = "María"):
    """(message_created payload, contact id) for a customer writing in through the simulator."""
    contact_id = chatwoot.sim.add_contact(ACCOUNT, name=name, phone_number=phone)
    inbox = chatwoot.whatsapp_inbox_id if phone and phone.startswith("+") and len(phone) > 9 else chatwoot.api_inbox_id
    _, message_id = chatwoot.sim.add_incoming_message(ACCOUNT, inbox, contact_id, content)
    return chatwoot.sim.build_message_created(ACCOUNT, message_id), contact_id


def interactions(**filters) -> list[ChatwootInteraction]:
    db.session.expire_all()
    query = select(ChatwootInteraction).filter_by(**filters).order_by(ChatwootInteraction.created_at)
    return list(db.session.scalars(query))


def unmatched() -> list[UnmatchedContact]:
    db.session.expire_all()
    return list(db.session.scalars(select(UnmatchedContact)))


def links_audited() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "client.link"))


# -- incoming messages ----------------------------------------------------------------------------


def test_incoming_message_links_the_client_and_pushes_attributes(http, wired_hooked, chatwoot):
    client = add_client(wired_hooked, "55 1234 5678")
    payload, contact_id = customer_writes(chatwoot, "+5215512345678")
    event = deliver(http, payload)
    assert event.status == WebhookStatus.DONE and event.attempts == 1 and event.processed_at is not None
    db.session.refresh(client)
    assert client.chatwoot_contact_id == str(contact_id) and client.chatwoot_attributes_hash
    attributes = chatwoot.sim.contact(ACCOUNT, contact_id)["custom_attributes"]
    assert attributes["client_id"] == client.id and attributes["client_name"] == "María López"
    [logged] = interactions(event="message_created")
    assert logged.client_id == client.id and logged.direction == "incoming"
    assert logged.message_id == str(payload["id"]) and logged.content_preview == "Hola, quiero una cita"
    assert logged.chatwoot_contact_id == str(contact_id) and logged.phone == "+5215512345678"
    assert db.session.scalar(select(AuditLog.actor).where(AuditLog.action == "client.link")) == "chatwoot-webhook"
    assert unmatched() == []


def test_a_linked_contact_is_not_matched_again(http, wired_hooked, chatwoot):
    add_client(wired_hooked, "55 1234 5678")
    first, contact_id = customer_writes(chatwoot, "+525512345678")
    deliver(http, first)
    puts = chatwoot.sim.count("PUT", "/contacts/")
    _, second_id = chatwoot.sim.add_incoming_message(ACCOUNT, chatwoot.whatsapp_inbox_id, contact_id, "¿A qué hora?")
    deliver(http, chatwoot.sim.build_message_created(ACCOUNT, second_id))
    assert links_audited() == 1 and chatwoot.sim.count("PUT", "/contacts/") == puts
    assert [i.content_preview for i in interactions(event="message_created")] == [
        "Hola, quiero una cita", "¿A qué hora?"]


def test_a_client_linked_to_another_contact_keeps_its_link(http, wired_hooked, chatwoot):
    """Chatwoot's +52 and +521 copies of one person: the first link stays, the message is still attributed."""
    client = add_client(wired_hooked, "55 1234 5678")
    deliver(http, customer_writes(chatwoot, "+525512345678")[0])
    first_link = db.session.get(Client, client.id).chatwoot_contact_id
    deliver(http, customer_writes(chatwoot, "+5215512345678", content="Soy yo otra vez")[0])
    assert db.session.get(Client, client.id).chatwoot_contact_id == first_link
    assert interactions(content_preview="Soy yo otra vez")[0].client_id == client.id


def test_no_match_goes_to_the_unmatched_queue_and_counts_messages(http, wired_hooked, chatwoot):
    payload, contact_id = customer_writes(chatwoot, "+525599998888", name="Ana Ruiz")
    deliver(http, payload)
    _, again = chatwoot.sim.add_incoming_message(ACCOUNT, chatwoot.whatsapp_inbox_id, contact_id, "¿Hay lugar hoy?")
    deliver(http, chatwoot.sim.build_message_created(ACCOUNT, again))
    [row] = unmatched()
    assert (row.chatwoot_contact_id, row.reason, row.message_count) == (str(contact_id), "no_match", 2)
    assert row.name == "Ana Ruiz" and row.phone == "+525599998888" and row.phone_e164 == "+525599998888"
    assert row.last_message_preview == "¿Hay lugar hoy?" and row.conversation_id == str(payload["conversation"]["id"])
    assert row.status == "waiting" and row.candidate_client_ids == []
    assert all(i.client_id is None for i in interactions(event="message_created"))


def test_an_older_message_arriving_late_counts_but_does_not_replace_the_preview(http, hooked):
    newer = {**SEED_PAYLOAD, "account": {"id": 1}, "id": 2, "content": "segundo", "created_at": "2026-06-20T16:05:00Z"}
    older = {**SEED_PAYLOAD, "account": {"id": 1}, "id": 1, "content": "primero", "created_at": "2026-06-20T16:04:00Z"}
    deliver(http, newer)
    deliver(http, older)
    [row] = unmatched()
    assert row.message_count == 2 and row.last_message_preview == "segundo"
    assert row.last_seen_at == datetime(2026, 6, 20, 16, 5, tzinfo=UTC)
    assert [i.content_preview for i in interactions(event="message_created")] == ["primero", "segundo"]


def test_clients_that_shared_a_phone_before_the_rule_are_never_auto_linked(http, wired_hooked, chatwoot):
    one = add_client(wired_hooked, "55 1234 5678", first="María")
    two = add_client(wired_hooked, "55 8765 4321", first="Mario")
    # What migration 0008 leaves of two clients on one number: both kept, neither with a canonical number.
    db.session.execute(text("UPDATE clients SET phone = :p, phone_e164 = NULL WHERE id = :id"),
                       {"p": "+52 1 55 1234 5678", "id": two.id})
    db.session.execute(text("UPDATE clients SET phone_e164 = NULL WHERE id = :id"), {"id": one.id})
    db.session.commit()
    deliver(http, customer_writes(chatwoot, "+525512345678")[0])
    [row] = unmatched()
    assert row.reason == "no_match"
    db.session.expire_all()
    assert db.session.get(Client, one.id).chatwoot_contact_id is None
    assert db.session.get(Client, two.id).chatwoot_contact_id is None


@pytest.mark.parametrize(("phone", "reason"), [(None, "no_phone"), ("+12", "invalid_phone")])
def test_contacts_without_a_usable_phone_are_queued_with_the_reason(http, wired_hooked, chatwoot, phone, reason):
    deliver(http, customer_writes(chatwoot, phone, name="visitante-azul-42")[0])
    [row] = unmatched()
    assert row.reason == reason and row.message_count == 1 and row.name == "visitante-azul-42"


def test_auto_create_makes_a_client_only_when_the_tenant_turned_it_on(http, wired_hooked, chatwoot):
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == wired_hooked.id))
    config.auto_create_clients = True
    db.session.commit()
    payload, contact_id = customer_writes(chatwoot, "+5215587654321", name="Lucía Fernández Soto")
    deliver(http, payload)
    client = db.session.scalar(select(Client).where(Client.chatwoot_contact_id == str(contact_id)))
    assert (client.first_name, client.last_name, client.phone) == ("Lucía", "Fernández Soto", "+525587654321")
    assert chatwoot.sim.contact(ACCOUNT, contact_id)["custom_attributes"]["client_id"] == client.id
    assert unmatched() == []


def test_auto_create_is_off_by_default(http, wired_hooked, chatwoot):
    deliver(http, customer_writes(chatwoot, "+5215587654321")[0])
    assert db.session.scalar(select(func.count()).select_from(Client)) == 0 and len(unmatched()) == 1


def test_seed_shape_links_without_chatwoot_credentials(http, hooked):
    """The seed's example (contact in conversation.contact) through the token URL; no API configured."""
    client = add_client(hooked, "55 1234 5678", first="Juan", last="Pérez")
    token = db.session.scalar(select(ChatwootConfig.webhook_token).where(ChatwootConfig.tenant_id == hooked.id))
    event = deliver(http, SEED_PAYLOAD, url=f"{URL}/{token}")
    assert event.status == WebhookStatus.DONE
    db.session.refresh(client)
    assert client.chatwoot_contact_id == "111" and client.chatwoot_attributes_hash is None
    assert interactions(event="message_created")[0].conversation_id == "456"


# -- outgoing messages and receipts ------------------------------------------------------------------


def make_notification(tenant, message_id: str, status: str = NotificationStatus.SENT) -> Notification:
    row = Notification(tenant_id=tenant.id, type="APPOINTMENT_REMINDER", channel="CHATWOOT", message="Hola",
                       status=status, chatwoot_message_id=message_id)
    db.session.add(row)
    db.session.commit()
    return row


def test_private_notes_are_ignored(http, hooked):
    note = example("message_created_outgoing.json")
    note["private"] = True
    assert deliver(http, note).status == WebhookStatus.IGNORED
    assert interactions() == []


def test_agent_replies_are_logged_with_the_linked_client(http, hooked):
    client = add_client(hooked, "55 1234 5678")
    client.chatwoot_contact_id = "42"
    db.session.commit()
    event = deliver(http, example("message_created_outgoing.json"))
    [reply] = interactions(event="message_created")
    assert event.status == WebhookStatus.DONE and reply.direction == "outgoing" and reply.client_id == client.id
    assert reply.message_id == "9877" and reply.status == "sent" and reply.conversation_id == "128"
    assert reply.created_at == datetime(2026, 6, 20, 16, 6, 30, 210000, tzinfo=UTC)


def test_our_own_messages_are_attached_to_their_notification_not_logged_twice(http, hooked):
    notification = make_notification(hooked, "9877")
    assert deliver(http, example("message_created_outgoing.json")).status == WebhookStatus.DONE
    assert interactions() == []
    deliver(http, example("message_updated.json"))
    db.session.refresh(notification)
    assert notification.status == NotificationStatus.DELIVERED and notification.delivered_at is not None


def test_an_echo_taken_before_our_send_was_recorded_becomes_our_row_and_keeps_its_receipt(http, hooked):
    """The worker may take Chatwoot's message_created for a message we sent, and its receipt, before the sending
    job has stored the message id: the agent reply it was logged as (our token is an agent's) becomes the
    notification's one row, automatic, and the failure it received reaches the notification."""
    notification = make_notification(hooked, None, status=NotificationStatus.PENDING)
    deliver(http, example("message_created_outgoing.json"))
    deliver(http, receipt("failed", "2026-06-20T16:08:00.000Z", error="131047: Re-engagement message"))
    [echo] = interactions(message_id="9877")
    assert (echo.event, echo.sender_kind, echo.status) == ("message_created", "person", "failed")
    mark_sent(db.session.get(Notification, notification.id),
              Message(id="9877", conversation_id="128", status="sent", content="Hola", source_id=None,
                      external_error=None, raw={}))
    db.session.commit()
    [row] = interactions(message_id="9877")
    assert (row.id, row.event, row.sender_kind, row.status) == (echo.id, "notification_sent", "automatic", "failed")
    db.session.refresh(notification)
    assert notification.status == NotificationStatus.FAILED and notification.chatwoot_message_id == "9877"
    assert notification.last_error == "Chatwoot marked the message as failed"


def test_looking_up_a_message_in_the_interaction_log_uses_its_index(http, hooked):
    """Every message webhook and receipt looks its message up in the log: by (tenant_id, message_id), never by
    reading all of the salon's interactions."""
    def webhooks_and_a_send():
        deliver(http, example("message_created_outgoing.json"))
        deliver(http, receipt("delivered", "2026-06-20T16:06:33.902Z"))
        log_sent_message(hooked.id, "notification_sent", message_id="9877", status="sent")

    plans = query_plans(webhooks_and_a_send,
                        lambda statement: "FROM chatwoot_interactions" in statement and "message_id =" in statement)
    assert len(plans) >= 3
    for statement, plan in plans:
        assert "(tenant_id=? AND message_id=?)" in plan, (statement, plan)


def receipt(status: str, updated_at: str, error: str | None = None) -> dict:
    payload = example("message_updated.json")
    payload["conversation"]["messages"][0].update(status=status, updated_at=updated_at)
    if error:
        payload["content_attributes"] = payload["conversation"]["messages"][0]["content_attributes"] = {
            "external_error": error}
    return payload


def test_receipts_move_forward_only_whatever_order_they_arrive_in(http, hooked):
    notification = make_notification(hooked, "9877")
    deliver(http, receipt("read", "2026-06-20T16:07:12.331Z"))
    deliver(http, receipt("delivered", "2026-06-20T16:06:33.902Z"))
    deliver(http, receipt("failed", "2026-06-20T16:08:00.000Z", error="131047: Re-engagement message"))
    db.session.refresh(notification)
    assert notification.status == NotificationStatus.READ and notification.read_at and notification.delivered_at
    assert notification.last_error is None


def test_a_failed_receipt_keeps_the_channel_error(http, hooked):
    notification = make_notification(hooked, "9877")
    deliver(http, receipt("failed", "2026-06-20T16:08:00.000Z", error="131047: Re-engagement message"))
    db.session.refresh(notification)
    assert notification.status == NotificationStatus.FAILED
    assert notification.last_error == "131047: Re-engagement message"


def test_a_receipt_for_a_message_we_do_not_know_is_ignored(http, hooked):
    assert deliver(http, example("message_updated.json")).status == WebhookStatus.IGNORED


def test_a_receipt_moves_the_logged_agent_reply_forward(http, hooked):
    deliver(http, example("message_created_outgoing.json"))
    assert deliver(http, example("message_updated.json")).status == WebhookStatus.DONE
    assert interactions(message_id="9877")[0].status == "delivered"


def test_receipts_of_an_older_message_are_read_from_chatwoot_and_none_is_lost(http, wired_hooked, chatwoot):
    """message_updated carries no status, and messages[0] is a later message: the worker asks Chatwoot,
    and "delivered" then "read" (identical bodies, signed at different times) are both applied."""
    contact_id = chatwoot.sim.add_contact(ACCOUNT, name="Ana", phone_number="+525512345678")
    conversation, _ = chatwoot.sim.add_incoming_message(ACCOUNT, chatwoot.whatsapp_inbox_id, contact_id, "Hola")
    ours = client_for_tenant(wired_hooked.id).create_message(conversation, "Tu cita es mañana")
    notification = make_notification(wired_hooked, ours.id)
    chatwoot.sim.add_incoming_message(ACCOUNT, chatwoot.whatsapp_inbox_id, contact_id, "¡Gracias!")
    chatwoot.sim.set_message_status(ACCOUNT, int(ours.id), "delivered")
    delivered = chatwoot.sim.build_message_updated(ACCOUNT, int(ours.id))
    assert delivered["conversation"]["messages"][0]["id"] != int(ours.id)  # the status is not in the body
    now = int(time.time())
    assert deliver(http, delivered, timestamp=now - 60).status == WebhookStatus.DONE
    db.session.refresh(notification)
    assert notification.status == NotificationStatus.DELIVERED
    chatwoot.sim.set_message_status(ACCOUNT, int(ours.id), "read")
    read = chatwoot.sim.build_message_updated(ACCOUNT, int(ours.id))
    assert deliver(http, read, timestamp=now - 30).status == WebhookStatus.DONE
    db.session.refresh(notification)
    assert notification.status == NotificationStatus.READ and notification.read_at is not None
    again = post(http, read, timestamp=now - 30).get_json()
    assert again["status"] == "duplicate"  # the same signed delivery resent


# -- conversations and contacts ------------------------------------------------------------------------


def test_one_status_change_is_logged_once_at_the_time_it_happened(http, hooked):
    deliver(http, example("conversation_status_changed.json"))  # changed_attributes: null
    deliver(http, example("conversation_updated.json"))
    deliver(http, example("conversation_created.json"))  # arrives last, happened first
    logged = interactions(conversation_id="128")
    assert [(i.event, i.status) for i in logged] == [("conversation_created", "open"),
                                                     ("conversation_status_changed", "resolved")]
    assert logged[0].content_preview.startswith("Hola María")
    assert logged[1].created_at == datetime.fromtimestamp(1781973000.118342, UTC)


def test_an_assignment_change_is_described(http, hooked):
    payload = example("conversation_updated.json")
    payload["status"], payload["updated_at"] = "open", 1781972000.5
    payload["changed_attributes"] = [{"assignee_id": {"previous_value": None, "current_value": 5}},
                                     {"updated_at": {"previous_value": "a", "current_value": "b"}}]
    deliver(http, payload)
    assert interactions()[0].content_preview == "assignee_id: 5"


def test_contact_created_with_a_phone_links_the_client(http, hooked):
    client = add_client(hooked, "55 1234 5678")
    assert deliver(http, example("contact_created.json")).status == WebhookStatus.DONE
    assert db.session.get(Client, client.id).chatwoot_contact_id == "42"
    assert interactions()[0].status == "linked"


def test_contact_updated_without_a_phone_change_is_ignored(http, hooked):
    add_client(hooked, "55 1234 5678")
    assert deliver(http, example("contact_updated.json")).status == WebhookStatus.IGNORED
    assert links_audited() == 0


def test_a_phone_added_later_resolves_the_waiting_contact(http, hooked):
    visitor = {**SEED_PAYLOAD, "account": {"id": 1}, "conversation": {
        "id": 456, "contact": {"id": 42, "name": "visitante", "phone_number": None}}}
    deliver(http, visitor)
    client = add_client(hooked, "55 1234 5678")
    update = example("contact_updated.json")
    update["changed_attributes"] = [{"phone_number": {"previous_value": None, "current_value": "+525512345678"}}]
    deliver(http, update)
    [row] = unmatched()
    assert row.status == "linked" and row.resolved_client_id == client.id
    assert db.session.get(Client, client.id).chatwoot_contact_id == "42"


# -- failures, retries, the sweep and replays ---------------------------------------------------------


def test_chatwoot_down_keeps_the_link_and_retries_the_push(http, wired_hooked, chatwoot):
    client = add_client(wired_hooked, "55 1234 5678")
    payload, contact_id = customer_writes(chatwoot, "+5215512345678")
    chatwoot.sim.set_down(True)
    event = deliver(http, payload)
    assert event.status == WebhookStatus.PENDING and event.attempts == 1 and "503" in event.error
    assert event.next_attempt_at > utcnow() and huey.scheduled_count() == 1
    assert db.session.get(Client, client.id).chatwoot_contact_id == str(contact_id)
    chatwoot.sim.set_down(False)
    process_webhook_event.call_local(event.id)
    db.session.refresh(event)
    assert event.status == WebhookStatus.DONE and event.error is None and event.attempts == 2
    assert chatwoot.sim.contact(ACCOUNT, contact_id)["custom_attributes"]["client_id"] == client.id
    assert len(interactions(event="message_created")) == 1


def test_after_the_last_attempt_the_event_is_failed_with_its_error(http, wired_hooked, chatwoot):
    add_client(wired_hooked, "55 1234 5678")
    payload, _ = customer_writes(chatwoot, "+5215512345678")
    chatwoot.server.stop()  # connection refused on every attempt
    event = deliver(http, payload)
    for _ in range(MAX_ATTEMPTS - 1):
        process_webhook_event.call_local(event.id)
    db.session.refresh(event)
    assert event.status == WebhookStatus.FAILED and event.attempts == MAX_ATTEMPTS
    assert "could not connect" in event.error and event.next_attempt_at is None


def test_a_permanent_chatwoot_error_fails_at_once(http, wired_hooked, chatwoot):
    add_client(wired_hooked, "55 1234 5678")
    payload, _ = customer_writes(chatwoot, "+5215512345678")
    chatwoot.sim.fail_next(1, status=401, body={"error": "Invalid Access Token"}, path_contains="/contacts/")
    event = deliver(http, payload)
    assert event.status == WebhookStatus.FAILED and event.attempts == 1 and "Invalid Access Token" in event.error


def store_raw(tenant, raw: str, **fields) -> WebhookEvent:
    row = WebhookEvent(tenant_id=tenant.id, event="message_created", dedupe_key=raw[:50] + str(fields), raw_body=raw,
                       **fields)
    db.session.add(row)
    db.session.commit()
    return row


def test_a_stored_body_that_is_not_json_fails_without_retries(hooked):
    row = store_raw(hooked, "{broken")
    process_webhook_event.call_local(row.id)
    db.session.refresh(row)
    assert row.status == WebhookStatus.FAILED and row.attempts == 1 and "not JSON" in row.error


def test_an_event_is_claimed_by_one_worker_at_a_time(hooked):
    row = store_raw(hooked, '{"event": "message_created"}')
    assert claim_event(row.id) is True
    assert claim_event(row.id) is False
    row.leased_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert claim_event(row.id) is True


def test_the_sweep_requeues_lost_and_abandoned_events_only(hooked):
    old = utcnow() - timedelta(minutes=10)
    lost = store_raw(hooked, '{"event": "message_created", "id": 1}', received_at=old)
    abandoned = store_raw(hooked, '{"event": "message_created", "id": 2}', status=WebhookStatus.PROCESSING,
                          attempts=1, leased_until=utcnow() - timedelta(seconds=1), received_at=old)
    store_raw(hooked, '{"event": "message_created", "id": 3}')  # just received: its job is in the queue
    store_raw(hooked, '{"event": "message_created", "id": 4}', status=WebhookStatus.PROCESSING,
              leased_until=utcnow() + timedelta(minutes=4), received_at=old)  # being worked on
    requeue_stuck_webhook_events()
    assert huey.pending_count() == 2
    drain()
    db.session.expire_all()
    assert db.session.get(WebhookEvent, lost.id).status == WebhookStatus.IGNORED
    assert db.session.get(WebhookEvent, abandoned.id).attempts == 2


def test_replay_runs_a_failed_event_again(http, wired_hooked, chatwoot):
    add_client(wired_hooked, "55 1234 5678")
    payload, contact_id = customer_writes(chatwoot, "+5215512345678")
    chatwoot.sim.fail_next(1, status=401, body={"error": "Invalid Access Token"}, path_contains="/contacts/")
    event = deliver(http, payload)
    assert event.status == WebhookStatus.FAILED
    replay_event(wired_hooked.id, event.id)
    assert huey.pending_count() == 0  # enqueued only once the reset is committed
    db.session.commit()
    assert huey.pending_count() == 1
    drain()
    db.session.refresh(event)
    assert event.status == WebhookStatus.DONE and event.attempts == 1 and event.error is None
    assert chatwoot.sim.contact(ACCOUNT, contact_id)["custom_attributes"]["client_id"]
    assert len(interactions(event="message_created")) == 1


def test_replay_failed_counts_one_tenant_or_all(hooked, other_tenant):
    store_raw(hooked, "{a", status=WebhookStatus.FAILED)
    store_raw(other_tenant, "{b", status=WebhookStatus.FAILED)
    store_raw(hooked, "{c", status=WebhookStatus.DONE)
    assert replay_failed(hooked.id) == 1
    assert replay_failed() == 1  # the other tenant's; hooked's is pending now
    db.session.commit()
    assert huey.pending_count() == 2


def test_replay_refuses_another_tenants_event(hooked, other_tenant):
    row = store_raw(other_tenant, "{x", status=WebhookStatus.FAILED)
    with pytest.raises(ReplayError):
        replay_event(hooked.id, row.id)


def test_replay_command(app, hooked):
    failed = store_raw(hooked, "{x", status=WebhookStatus.FAILED)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["webhooks", "replay", "--tenant", "uno", "--all-failed"])
    assert result.exit_code == 0 and result.output.strip() == "Queued 1 event(s) for processing"
    assert runner.invoke(args=["webhooks", "replay", "--event", failed.id]).exit_code == 0
    assert huey.pending_count() == 2
    assert runner.invoke(args=["webhooks", "replay"]).exit_code == 2
    missing = runner.invoke(args=["webhooks", "replay", "--event", "nope"])
    assert missing.exit_code == 1 and "no webhook event nope" in missing.output


def test_every_example_payload_is_processed_without_error(http, wired_hooked, chatwoot):
    add_client(wired_hooked, "55 1234 5678")
    chatwoot.sim.add_contact(ACCOUNT, name="María López", phone_number="+525512345678", contact_id=42)
    for name in EXAMPLES:
        event = deliver(http, example(name))
        assert event.status in (WebhookStatus.DONE, WebhookStatus.IGNORED), (name, event.error)
    assert {e.status for e in stored()} <= {WebhookStatus.DONE, WebhookStatus.IGNORED}
