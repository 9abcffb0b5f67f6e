"""A customer writes on WhatsApp through the simulator's control surface (never through the public API)."""

from __future__ import annotations

import json

import requests

from app.sandbox import signature

from .conftest import ACCOUNT, ADMIN, AGENT, API_INBOX, WHATSAPP_INBOX, start_conversation

CONTROL = "/simulator/api/v1/accounts/{account}/incoming_messages"


def control(sim_server, body, token=ADMIN, account=ACCOUNT):
    return requests.post(sim_server.url + CONTROL.format(account=account), json=body, timeout=10,
                         headers={} if token is None else {"api_access_token": token})


def test_the_public_api_still_refuses_incoming_messages_on_whatsapp(api, sim):
    contact = sim.add_contact(ACCOUNT, name="Ana", phone_number="+525512345678")
    conversation = start_conversation(api, WHATSAPP_INBOX, contact)
    refused = api.post(f"/conversations/{conversation['id']}/messages",
                       json={"content": "Hola", "message_type": "incoming"})
    assert refused.status_code == 422
    assert refused.json() == {"error": "Incoming messages are only allowed in Api inboxes"}


def test_a_new_number_creates_the_contact_and_the_signed_webhooks_are_delivered_before_the_answer(
        sim, sim_server, receiver):
    sim.add_webhook(ACCOUNT, receiver.url, secret="s3cret")
    answer = control(sim_server, {"phone": "+52 1 55 9999 0000", "name": "Gabriela Ruiz", "text": " Hola "})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["inbox_id"], body["new_contact"]) == (WHATSAPP_INBOX, True)
    contact = sim.contact(ACCOUNT, body["contact_id"])
    assert (contact["name"], contact["phone_number"]) == ("Gabriela Ruiz", "+5215599990000")
    assert contact["contact_inboxes"][0]["source_id"] == "5215599990000"
    assert [m["content"] for m in sim.messages(ACCOUNT, body["conversation_id"])] == ["Hola"]
    assert [d["event"] for d in body["deliveries"]] == ["contact_created", "conversation_created",
                                                          "message_created", "contact_updated"]
    assert all(d["status"] == 200 and d["url"] == receiver.url for d in body["deliveries"])
    assert len(receiver.received) == 4  # already there: delivered before the answer
    created = receiver.received[2]
    payload = json.loads(created["body"])
    assert payload["event"] == "message_created" and payload["message_type"] == "incoming"
    assert payload["sender"]["phone_number"] == "+5215599990000" and payload["inbox"]["id"] == WHATSAPP_INBOX
    stamp = created["headers"]["X-Chatwoot-Timestamp"]
    assert created["headers"]["X-Chatwoot-Signature"] == signature("s3cret", stamp, created["body"])


def test_a_known_number_writes_into_its_open_conversation(sim, sim_server):
    contact = sim.add_contact(ACCOUNT, name="Juan Pérez", phone_number="+525512345678")
    first = control(sim_server, {"phone": "+525512345678", "text": "Hola"}).json()
    second = control(sim_server, {"phone": "525512345678", "text": "¿Sigue en pie?"}).json()
    assert first["contact_id"] == second["contact_id"] == contact and first["new_contact"] is False
    assert first["conversation_id"] == second["conversation_id"]
    assert [m["content"] for m in sim.messages(ACCOUNT, first["conversation_id"])] == ["Hola", "¿Sigue en pie?"]
    assert second["deliveries"] == []  # no webhook registered: stored, nothing sent


def test_without_a_profile_name_the_contact_gets_a_generated_one(sim, sim_server):
    body = control(sim_server, {"phone": "+525577776666", "text": "Hola"}).json()
    name = sim.contact(ACCOUNT, body["contact_id"])["name"]
    assert name.count("-") == 2 and name.rsplit("-", 1)[1].isdigit()


def test_refusals(sim, sim_server):
    assert control(sim_server, {"phone": "+525512345678", "text": "x"}, token=None).status_code == 401
    assert control(sim_server, {"phone": "+525512345678", "text": "x"}, token=AGENT).status_code == 401
    bad_phone = control(sim_server, {"phone": "12", "text": "x"})
    assert bad_phone.status_code == 422 and "international phone number" in bad_phone.json()["error"]
    assert control(sim_server, {"phone": "+525512345678", "text": "  "}).status_code == 422
    api_inbox = control(sim_server, {"phone": "+525512345678", "text": "x", "inbox_id": API_INBOX})
    assert api_inbox.status_code == 422 and "not a WhatsApp inbox" in api_inbox.json()["error"]
    assert sim.conversations(ACCOUNT) == []
