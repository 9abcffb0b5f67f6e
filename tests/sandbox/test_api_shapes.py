"""API responses have the keys and JSON types of the examples in api_examples.md."""

from __future__ import annotations

import pytest

from .conftest import ACCOUNT, API_INBOX, WHATSAPP_INBOX, api_examples, assert_same_shape

EXAMPLES = api_examples()  # the JSON blocks in document order
PROFILE, INBOXES, CONTACT_REQUEST, CONTACT_CREATED = EXAMPLES[0:4]
SEARCH, UPDATED, CONTACT_INBOX = EXAMPLES[8], EXAMPLES[13], EXAMPLES[15]
CONVERSATION_REQUEST, CONVERSATION, TOGGLED = EXAMPLES[16], EXAMPLES[17], EXAMPLES[18]
MESSAGE_REQUEST, MESSAGE = EXAMPLES[19], EXAMPLES[23]
DEFINITION_REQUEST, DEFINITION, WEBHOOK = EXAMPLES[24], EXAMPLES[25], EXAMPLES[28]


@pytest.fixture
def maria(api, sim):
    """The example contact, created with the example request (inbox 3 is WhatsApp in both)."""
    return api.post("/contacts", json=CONTACT_REQUEST)


def test_profile(api):
    assert_same_shape(PROFILE, api.get("/api/v1/profile").json())


def test_inboxes(api):
    inboxes = {inbox["id"]: inbox for inbox in api.get("/inboxes").json()["payload"]}
    whatsapp_example, api_example = INBOXES["payload"]
    assert_same_shape(whatsapp_example, inboxes[WHATSAPP_INBOX])
    assert_same_shape(api_example, inboxes[API_INBOX])
    assert_same_shape(whatsapp_example, api.get(f"/inboxes/{WHATSAPP_INBOX}").json())


def test_contact_create_search_update(api, sim, maria):
    assert maria.status_code == 200
    assert_same_shape(CONTACT_CREATED, maria.json())
    contact_id = maria.json()["payload"]["contact"]["id"]
    sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, contact_id, "Hola")
    assert_same_shape(SEARCH, api.get("/contacts/search?q=5512345678&page=1").json())
    updated = api.put(f"/contacts/{contact_id}", json={"custom_attributes": {"plan": "enterprise"}})
    assert_same_shape(UPDATED, updated.json())
    body = {"inbox_id": API_INBOX, "source_id": "crm"}
    link = api.post(f"/contacts/{contact_id}/contact_inboxes", json=body)
    assert_same_shape(CONTACT_INBOX, link.json())


def test_conversation_message_and_status(api, maria):
    contact_id = maria.json()["payload"]["contact"]["id"]
    request = {**CONVERSATION_REQUEST, "contact_id": contact_id, "assignee_id": 1}
    conversation = api.post("/conversations", json=request).json()
    expected = {**CONVERSATION, "last_non_activity_message": CONVERSATION["messages"][0]}
    assert_same_shape(expected, conversation)
    message = api.post(f"/conversations/{conversation['id']}/messages", json=MESSAGE_REQUEST)
    assert_same_shape(MESSAGE, message.json())
    toggled = api.post(f"/conversations/{conversation['id']}/toggle_status", json={"status": "resolved"})
    assert_same_shape(TOGGLED, toggled.json())


def test_definition_and_webhook(api):
    assert_same_shape(DEFINITION, api.post("/custom_attribute_definitions", json=DEFINITION_REQUEST).json())
    example = WEBHOOK["payload"]["webhook"]
    request = {"webhook": {key: example[key] for key in ("name", "url", "subscriptions")}}
    assert_same_shape(WEBHOOK, api.post("/webhooks", json=request).json())
