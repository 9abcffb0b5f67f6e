"""Webhook delivery: Rails-style bodies, HMAC signing, targets, failures and auto delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

from .conftest import ACCOUNT, API_INBOX, WHATSAPP_INBOX, create_contact, start_conversation

SECRET = "s3cret-key"


def verify(secret: str, item: dict) -> bool:
    """The receiver-side check from the reference: HMAC over "<timestamp>.<raw body>"."""
    timestamp = item["headers"]["X-Chatwoot-Timestamp"]
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + item["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + mac, item["headers"]["X-Chatwoot-Signature"])


def bodies(receiver, event: str) -> list[dict]:
    found = [json.loads(item["body"]) for item in receiver.received]
    return [body for body in found if body["event"] == event]


def test_send_webhook_signs_timestamp_dot_raw_body(sim, receiver):
    payload = {"event": "message_created", "content": "<b>Tom & Jerry</b> ñ"}
    response = sim.send_webhook(receiver.url, payload, SECRET, timestamp=1781971445)
    assert response.status_code == 200
    item = receiver.received[0]
    escaped = "\\u003cb\\u003eTom \\u0026 Jerry\\u003c/b\\u003e ñ"
    assert item["body"] == ('{"event":"message_created","content":"' + escaped + '"}').encode()
    headers = item["headers"]
    assert headers["Content-Type"] == "application/json" and headers["Accept"] == "application/json"
    assert headers["X-Chatwoot-Timestamp"] == "1781971445"
    assert verify(SECRET, item)
    expected = hmac.new(SECRET.encode(), b"1781971445." + item["body"], hashlib.sha256).hexdigest()
    assert headers["X-Chatwoot-Signature"] == "sha256=" + expected
    uuid.UUID(headers["X-Chatwoot-Delivery"])


def test_unsigned_delivery_still_has_a_delivery_id(sim, receiver):
    sim.send_webhook(receiver.url, {"event": "contact_created"}, None)
    headers = receiver.received[0]["headers"]
    assert "X-Chatwoot-Signature" not in headers and "X-Chatwoot-Timestamp" not in headers
    uuid.UUID(headers["X-Chatwoot-Delivery"])


def test_timestamp_defaults_to_the_simulator_clock(sim, receiver):
    sim.clock = lambda: 1_781_971_445.9
    sim.send_webhook(receiver.url, {"event": "x"}, SECRET)
    assert receiver.received[0]["headers"]["X-Chatwoot-Timestamp"] == "1781971445"


def test_incoming_message_fires_conversation_message_and_contact_events(sim, receiver):
    sim.add_webhook(ACCOUNT, receiver.url, SECRET)
    contact = sim.add_contact(ACCOUNT, name="María", phone_number="+5215512345678")
    sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, contact, "Hola\n")
    deliveries = sim.deliver_pending_webhooks()
    assert [d.status for d in deliveries] == [200, 200, 200]
    assert receiver.events() == ["conversation_created", "message_created", "contact_updated"]
    assert all(verify(SECRET, item) for item in receiver.received)
    message = bodies(receiver, "message_created")[0]
    assert message["message_type"] == "incoming" and message["content"] == "Hola"
    assert message["sender"]["phone_number"] == "+5215512345678" and "type" not in message["sender"]
    changed = bodies(receiver, "contact_updated")[0]["changed_attributes"]
    assert [next(iter(change)) for change in changed] == ["last_activity_at", "updated_at"]
    assert sim.pending == [] and sim.deliver_pending_webhooks() == []


def test_subscriptions_filter_account_webhooks(sim, receiver):
    sim.add_webhook(ACCOUNT, receiver.url, SECRET, subscriptions=["message_created"])
    contact = sim.add_contact(ACCOUNT, name="María", phone_number="+525512345678")
    sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, contact, "Hola")
    sim.deliver_pending_webhooks()
    assert receiver.events() == ["message_created"]


def test_api_inbox_webhook_gets_conversation_and_message_events_only(api, sim, receiver):
    inbox = sim.add_inbox(ACCOUNT, "CRM hook", "Channel::Api", webhook_url=receiver.url,
                          secret="inbox-secret")
    contact = create_contact(api, name="Ana", email="ana@example.mx")
    conversation = api.post("/conversations", json={"inbox_id": inbox, "contact_id": contact["id"]}).json()
    api.post(f"/conversations/{conversation['id']}/messages", json={"content": "Tu cita es mañana"})
    sim.deliver_pending_webhooks()
    # The first agent reply sets first_reply_created_at, one of the keys that fire conversation_updated.
    assert receiver.events() == ["conversation_created", "message_created", "conversation_updated"]
    assert all(verify("inbox-secret", item) for item in receiver.received)
    changed = bodies(receiver, "conversation_updated")[0]["changed_attributes"]
    keys = [next(iter(change)) for change in changed]
    assert keys == ["first_reply_created_at", "waiting_since", "updated_at"]
    assert bodies(receiver, "message_created")[0]["sender"]["type"] == "user"


def test_failed_api_inbox_delivery_marks_the_message_failed(api, sim, receiver):
    inbox = sim.add_inbox(ACCOUNT, "CRM hook", "Channel::Api", webhook_url=receiver.url)
    receiver.status = 500
    contact = create_contact(api, name="Ana", email="ana@example.mx")
    conversation = api.post("/conversations", json={"inbox_id": inbox, "contact_id": contact["id"]}).json()
    message = api.post(f"/conversations/{conversation['id']}/messages", json={"content": "Hola"}).json()
    deliveries = sim.deliver_pending_webhooks()
    assert [d.error for d in deliveries] == ["500 INTERNAL SERVER ERROR"] * 3
    failed = sim.messages(ACCOUNT, conversation["id"])[0]
    assert failed["id"] == message["id"] and failed["status"] == "failed"
    assert failed["content_attributes"]["external_error"] == "500 INTERNAL SERVER ERROR"
    assert [item.event for item in sim.pending] == ["message_updated"]
    sim.deliver_pending_webhooks()
    assert sim.pending == [], "the same failure must not fire another message_updated"


def test_account_webhook_failures_are_only_logged(api, sim, receiver):
    sim.add_webhook(ACCOUNT, receiver.url, SECRET)
    receiver.status = 502
    contact = create_contact(api, name="Ana", email="ana@example.mx")
    conversation = start_conversation(api, API_INBOX, contact["id"])
    api.post(f"/conversations/{conversation['id']}/messages", json={"content": "Hola"})
    sim.deliver_pending_webhooks()
    assert sim.messages(ACCOUNT, conversation["id"])[0]["status"] == "sent"
    assert sim.pending == [] and sim.deliver_pending_webhooks() == []


def test_unreachable_receiver_is_recorded(sim):
    sim.add_webhook(ACCOUNT, "http://127.0.0.1:9/closed", SECRET)
    contact = sim.add_contact(ACCOUNT, name="María", phone_number="+525512345678")
    sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, contact, "Hola")
    deliveries = sim.deliver_pending_webhooks()
    assert deliveries and all(d.status is None and d.error == "ConnectionError" for d in deliveries)


def test_whatsapp_template_failure_reaches_webhooks_as_message_updated(api, sim, receiver):
    sim.add_webhook(ACCOUNT, receiver.url, SECRET)
    contact = create_contact(api, name="María", phone_number="+525512345678")
    conversation = start_conversation(api, WHATSAPP_INBOX, contact["id"])
    api.post(f"/conversations/{conversation['id']}/messages", json={"content": "¿Sigues ahí?"})
    sim.deliver_pending_webhooks()
    updated = bodies(receiver, "message_updated")[0]
    assert "status" not in updated and "changed_attributes" not in updated
    latest = updated["conversation"]["messages"][0]
    assert latest["status"] == "failed"
    assert latest["content_attributes"]["external_error"] == "Template not found or invalid template name"


def test_private_notes_are_delivered_as_outgoing(api, sim, receiver):
    sim.add_webhook(ACCOUNT, receiver.url, SECRET, subscriptions=["message_created"])
    contact = create_contact(api, name="Ana", email="ana@example.mx")
    conversation = start_conversation(api, API_INBOX, contact["id"])
    note = {"content": "nota\\\ninterna\n", "private": True}
    api.post(f"/conversations/{conversation['id']}/messages", json=note)
    sim.deliver_pending_webhooks()
    body = bodies(receiver, "message_created")[0]
    assert (body["message_type"], body["private"], body["content"]) == ("outgoing", True, "nota\ninterna")


def test_webhook_created_through_the_api_receives_signed_events(api, sim, receiver):
    body = {"webhook": {"url": receiver.url, "subscriptions": ["contact_created"]}}
    secret = api.post("/webhooks", json=body).json()["payload"]["webhook"]["secret"]
    create_contact(api, name="Ana", email="ana@example.mx")
    sim.deliver_pending_webhooks()
    assert receiver.events() == ["contact_created"] and verify(secret, receiver.received[0])


def test_auto_deliver_sends_in_the_background(sim, receiver):
    sim.auto_deliver = True
    sim.add_webhook(ACCOUNT, receiver.url, SECRET)
    contact = sim.add_contact(ACCOUNT, name="María", phone_number="+525512345678")
    sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, contact, "Hola")
    receiver.wait_for(3)
    assert sorted(receiver.events()) == ["contact_updated", "conversation_created", "message_created"]
