"""Webhook payloads match the v4.15.1 shapes in tests/fixtures/chatwoot_payloads."""

from __future__ import annotations

import json
import re

import pytest

from app.sandbox import encode_body

from .conftest import ACCOUNT, WHATSAPP_INBOX, assert_same_shape, create_contact, load_payload

ISO_MS = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")
SECRET = "payload-secret"


@pytest.fixture
def scenario(api, sim, receiver):
    """The README scenario: contact 42-like María, a WhatsApp conversation with a template, replies."""
    sim.add_webhook(ACCOUNT, receiver.url, SECRET)
    contact = create_contact(api, name="María López", phone_number="+525512345678", identifier="crm-10023",
                             additional_attributes={"city": "Ciudad de México", "country": "Mexico"},
                             custom_attributes={"crm_id": "10023", "plan": "premium"})
    message = {"content": "Hola María", "template_params": {"name": "seguimiento_lead", "language": "es_MX",
                                                            "processed_params": {"body": {"1": "María"}}}}
    conversation = api.post("/conversations", json={"inbox_id": WHATSAPP_INBOX, "contact_id": contact["id"],
                                                    "assignee_id": 1, "message": message}).json()
    sim.deliver_pending_webhooks()
    return {"contact": contact, "conversation": conversation}


def delivered(receiver, event: str) -> list[dict]:
    found = [json.loads(item["body"]) for item in receiver.received]
    return [body for body in found if body["event"] == event]


def test_contact_created_and_updated(api, sim, receiver, scenario):
    api.put(f"/contacts/{scenario['contact']['id']}", json={"custom_attributes": {"plan": "enterprise"}})
    sim.deliver_pending_webhooks()
    assert_same_shape(load_payload("contact_created.json"), delivered(receiver, "contact_created")[0])
    updated = delivered(receiver, "contact_updated")[-1]
    assert_same_shape(load_payload("contact_updated.json"), updated)
    assert updated["changed_attributes"][0] == {"custom_attributes": {
        "previous_value": {"crm_id": "10023", "plan": "premium"},
        "current_value": {"crm_id": "10023", "plan": "enterprise"}}}
    stamp = updated["changed_attributes"][1]["updated_at"]
    assert ISO_MS.match(stamp["previous_value"]) and ISO_MS.match(stamp["current_value"])


def test_conversation_created(receiver, scenario):
    body = delivered(receiver, "conversation_created")[0]
    assert_same_shape(load_payload("conversation_created.json"), body)
    assert body["messages"][0]["message_type"] == 1 and body["meta"]["sender"]["type"] == "contact"
    assert body["contact_inbox"]["source_id"] == "525512345678" and body["can_reply"] is False
    assert isinstance(body["updated_at"], float) and ISO_MS.match(body["first_reply_created_at"])


def test_message_created_incoming(sim, receiver, scenario):
    sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, scenario["contact"]["id"], "¿Cuánto cuesta?")
    sim.deliver_pending_webhooks()
    body = delivered(receiver, "message_created")[-1]
    assert_same_shape(load_payload("message_created_incoming.json"), body)
    assert body["message_type"] == "incoming" and ISO_MS.match(body["created_at"])
    assert "type" not in body["sender"] and body["conversation"]["meta"]["sender"]["type"] == "contact"
    assert body["conversation"]["messages"][0]["message_type"] == 0
    assert body["conversation"]["id"] == scenario["conversation"]["id"]


def test_message_created_outgoing_and_updated(api, sim, receiver, scenario):
    sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, scenario["contact"]["id"], "¿Cuánto cuesta?")
    api.post(f"/conversations/{scenario['conversation']['id']}/messages", json={"content": "$499 al mes"})
    sim.deliver_pending_webhooks()
    created = delivered(receiver, "message_created")[-1]
    assert_same_shape(load_payload("message_created_outgoing.json"), created)
    assert created["sender"] == {"id": 1, "name": "Carlos Ruiz", "email": "carlos@acme.mx", "type": "user"}
    updated = delivered(receiver, "message_updated")[-1]
    assert_same_shape(load_payload("message_updated.json"), updated)
    assert updated["source_id"].startswith("wamid.") and "status" not in updated


def test_status_change_fires_updated_and_status_changed(api, sim, receiver, scenario):
    api.post(f"/conversations/{scenario['conversation']['id']}/toggle_status", json={"status": "resolved"})
    sim.deliver_pending_webhooks()
    updated = delivered(receiver, "conversation_updated")[-1]
    assert_same_shape(load_payload("conversation_updated.json"), updated)
    status = {"status": {"previous_value": "open", "current_value": "resolved"}}
    assert updated["changed_attributes"][0] == status
    assert list(updated["changed_attributes"][1]) == ["updated_at"]
    changed = delivered(receiver, "conversation_status_changed")[-1]
    assert_same_shape(load_payload("conversation_status_changed.json"), changed)
    assert changed["changed_attributes"] is None and changed["status"] == "resolved"


def test_builders_match_the_reference_key_sets(sim, scenario):
    display_id = scenario["conversation"]["id"]
    created = sim.build_conversation_event(ACCOUNT, display_id, "conversation_created")
    assert "changed_attributes" not in created
    assert_same_shape(load_payload("conversation_created.json"), created)
    _, incoming = sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, scenario["contact"]["id"], "Hola")
    built = sim.build_message_created(ACCOUNT, incoming)
    assert_same_shape(load_payload("message_created_incoming.json"), built)
    assert sim.build_message_updated(ACCOUNT, incoming)["event"] == "message_updated"
    status = sim.build_conversation_event(ACCOUNT, display_id, "conversation_status_changed", [{"x": 1}])
    assert status["changed_attributes"] is None
    contact = sim.build_contact_event(ACCOUNT, scenario["contact"]["id"], "contact_created")
    assert_same_shape(load_payload("contact_created.json"), contact)
    with pytest.raises(KeyError):
        sim.build_message_created(ACCOUNT, 999)


def test_delivered_bytes_are_rails_json(receiver, scenario):
    raw = receiver.received[0]["body"]
    assert raw == encode_body(json.loads(raw))
    assert b'": ' not in raw and b'", "' not in raw
    assert "María".encode() in raw  # non-ASCII stays UTF-8, Rails does not \u-escape it
