"""Messages: creation rules, the WhatsApp window and templates, the flood limit, status updates."""

from __future__ import annotations

import pytest

from .conftest import ACCOUNT, AGENT, API_INBOX, BOT, WHATSAPP_INBOX, create_contact, start_conversation

TEMPLATE = {"name": "seguimiento_lead", "category": "MARKETING", "language": "es_MX",
            "processed_params": {"body": {"1": "María"}}}
FAILED = "Template not found or invalid template name"
MESSAGE_KEYS = {"id", "content", "inbox_id", "conversation_id", "message_type", "content_type", "status",
                "content_attributes", "created_at", "private", "source_id", "sender"}


def open_conversation(api, inbox_id: int) -> dict:
    contact = create_contact(api, name="María", phone_number="+525512345678", email="maria@example.mx")
    return start_conversation(api, inbox_id, contact["id"])


def post(api, conversation: dict, **body) -> object:
    return api.post(f"/conversations/{conversation['id']}/messages", json=body)


def stored(sim, conversation: dict, message_id: int) -> dict:
    return next(m for m in sim.messages(ACCOUNT, conversation["id"]) if m["id"] == message_id)


def test_outgoing_message_response_shape(api):
    conversation = open_conversation(api, API_INBOX)
    response = post(api, conversation, content="Hola", message_type="outgoing")
    assert response.status_code == 200
    message = response.json()
    assert set(message) == MESSAGE_KEYS
    assert (message["message_type"], message["status"], message["conversation_id"]) == (1, "sent", 1)
    assert message["sender"]["type"] == "user" and isinstance(message["created_at"], int)


def test_window_closed_without_template_fails_after_a_200(api, sim):
    conversation = open_conversation(api, WHATSAPP_INBOX)
    response = post(api, conversation, content="¿Sigues ahí?")
    assert response.status_code == 200 and response.json()["status"] == "sent"
    message = stored(sim, conversation, response.json()["id"])
    assert message["status"] == "failed"
    assert message["content_attributes"] == {"external_error": FAILED}


def test_template_is_sent_when_approved_and_language_matches(api, sim):
    conversation = open_conversation(api, WHATSAPP_INBOX)
    template = {**TEMPLATE, "language": "ES_mx"}
    response = post(api, conversation, content="Hola María", template_params=template)
    message = stored(sim, conversation, response.json()["id"])
    assert message["status"] == "sent" and message["source_id"].startswith("wamid.")
    assert message["additional_attributes"] == {"template_params": template}
    assert sim.channel_log[-1]["template"]["name"] == "seguimiento_lead"


@pytest.mark.parametrize("template", [{**TEMPLATE, "name": "no_existe"}, {**TEMPLATE, "language": "en_US"},
                                      {**TEMPLATE, "name": "borrador"}])
def test_unknown_unapproved_or_wrong_language_template_fails(api, sim, template):
    conversation = open_conversation(api, WHATSAPP_INBOX)
    response = post(api, conversation, content="Hola", template_params=template)
    assert response.status_code == 200
    assert stored(sim, conversation, response.json()["id"])["status"] == "failed"


def test_open_window_allows_session_messages_until_24h(api, sim):
    contact = sim.add_contact(ACCOUNT, name="María", phone_number="+525512345678")
    display_id, _ = sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, contact, "Hola")
    conversation = {"id": display_id}
    sent = post(api, conversation, content="¡Hola!").json()
    assert stored(sim, conversation, sent["id"])["status"] == "sent"
    assert sim.channel_log[-1]["kind"] == "session"
    now = sim.clock()
    sim.clock = lambda: now + 24 * 3600
    late = post(api, conversation, content="¿Sigues ahí?").json()
    assert stored(sim, conversation, late["id"])["status"] == "failed"


def test_source_id_and_private_notes_are_not_sent_to_the_channel(api, sim):
    conversation = open_conversation(api, WHATSAPP_INBOX)
    external = post(api, conversation, content="Enviado por fuera", source_id="wamid.EXTERNAL").json()
    note = post(api, conversation, content="Nota", private=True).json()
    assert stored(sim, conversation, external["id"])["status"] == "sent"
    assert stored(sim, conversation, note["id"])["status"] == "sent" and note["private"] is True
    assert sim.channel_log == []


def test_incoming_only_in_api_inboxes(api, sim):
    whatsapp = open_conversation(api, WHATSAPP_INBOX)
    refused = post(api, whatsapp, content="x", message_type="incoming")
    expected = {"error": "Incoming messages are only allowed in Api inboxes"}
    assert (refused.status_code, refused.json()) == (422, expected)
    api_conversation = start_conversation(api, API_INBOX, whatsapp["meta"]["sender"]["id"])
    incoming = post(api, api_conversation, content="Hola", message_type="incoming", source_id="ext-1").json()
    assert incoming["message_type"] == 0 and incoming["sender"]["type"] == "contact"
    assert incoming["source_id"] == "ext-1"


@pytest.mark.parametrize(("template", "error"), [
    ({"language": "es_MX"}, "Validation failed: Name is required"),
    ({"name": "x", "processed_params": ["María"]},
     "Validation failed: Template params/processed params must be of type hash"),
    ({"name": "x", "processed_params": "María"},
     "Validation failed: Template params/processed params must be of type hash"),
])
def test_template_params_schema(api, template, error):
    conversation = open_conversation(api, WHATSAPP_INBOX)
    response = post(api, conversation, content="x", template_params=template)
    assert (response.status_code, response.json()) == (422, {"error": error})


def test_template_errors_in_conversation_create_use_the_record_invalid_shape(api, sim):
    contact = create_contact(api, name="María", phone_number="+525512345678")
    message = {"content": "x", "template_params": {"language": "es"}}
    response = api.post("/conversations", json={"inbox_id": WHATSAPP_INBOX, "contact_id": contact["id"],
                                                "message": message})
    expected = {"message": "Name is required", "attributes": ["name"]}
    assert (response.status_code, response.json()) == (422, expected)
    assert sim.conversations(ACCOUNT) == []


def test_invalid_message_type(api):
    conversation = open_conversation(api, API_INBOX)
    response = post(api, conversation, content="x", message_type="shout")
    assert (response.status_code, response.json()) == (422, {"error": "'shout' is not a valid message_type"})


def test_more_than_200_messages_a_minute_is_refused(api, sim):
    sim.clock = lambda: 1_781_971_200.0
    conversation = open_conversation(api, API_INBOX)
    contact_id = conversation["meta"]["sender"]["id"]
    for _ in range(199):
        sim.add_incoming_message(ACCOUNT, API_INBOX, contact_id, "spam")
    assert post(api, conversation, content="200th").status_code == 200
    refused = post(api, conversation, content="201st")
    assert (refused.status_code, refused.json()) == (422, {"error": "Validation failed: Too many messages"})
    sim.clock = lambda: 1_781_971_261.0
    assert post(api, conversation, content="a minute later").status_code == 200


def test_status_patch_rules_for_api_inboxes(api, sim):
    conversation = open_conversation(api, API_INBOX)
    message = post(api, conversation, content="Recordatorio").json()
    path = f"/conversations/{conversation['id']}/messages/{message['id']}"
    delivered = api.patch(path, json={"status": "delivered"})
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    assert api.patch(path, json={"status": "read"}).json()["status"] == "read"
    assert api.patch(path, json={"status": "delivered"}).json()["status"] == "read"
    failed = api.patch(path, json={"status": "failed", "external_error": "número inválido"}).json()
    assert (failed["status"], failed["content_attributes"]["external_error"]) == ("failed", "número inválido")
    unknown = api.patch(f"/conversations/{conversation['id']}/messages/999", json={"status": "read"})
    assert unknown.status_code == 404


def test_status_patch_is_403_outside_api_inboxes(api):
    conversation = open_conversation(api, WHATSAPP_INBOX)
    message = post(api, conversation, content="x", template_params=TEMPLATE).json()
    path = f"/conversations/{conversation['id']}/messages/{message['id']}"
    response = api.patch(path, json={"status": "read"})
    assert response.status_code == 403
    assert response.json() == {"error": "Message status update is only allowed for API inboxes"}


def test_list_messages_latest_20_and_before(api, sim):
    conversation = open_conversation(api, API_INBOX)
    ids = [post(api, conversation, content=f"m{n}").json()["id"] for n in range(25)]
    body = api.get(f"/conversations/{conversation['id']}/messages").json()
    assert [m["id"] for m in body["payload"]] == ids[-20:]
    assert body["meta"]["contact"]["type"] == "contact" and body["meta"]["labels"] == []
    older = api.get(f"/conversations/{conversation['id']}/messages", params={"before": ids[5]}).json()
    assert [m["id"] for m in older["payload"]] == ids[:5]


def test_bot_can_post_but_not_list(api):
    conversation = open_conversation(api, API_INBOX)
    bot = api.as_(BOT)
    message = post(bot, conversation, content="Soy un bot").json()
    assert message["sender"]["type"] == "agent_bot"
    assert bot.get(f"/conversations/{conversation['id']}/messages").status_code == 401


def test_agent_cannot_post_in_a_foreign_inbox(api):
    conversation = open_conversation(api, WHATSAPP_INBOX)
    response = post(api.as_(AGENT), conversation, content="x")
    expected = {"error": "You are not authorized to do this action"}
    assert (response.status_code, response.json()) == (401, expected)
