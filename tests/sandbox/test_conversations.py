"""Conversations: creation, display ids, locking, authorisation and status changes."""

from __future__ import annotations

from .conftest import (
    ACCOUNT,
    AGENT,
    API_INBOX,
    BOT,
    HIDDEN_INBOX,
    WHATSAPP_INBOX,
    create_contact,
    start_conversation,
)

TEMPLATE = {"name": "seguimiento_lead", "category": "MARKETING", "language": "es_MX",
            "processed_params": {"body": {"1": "María"}}}
# Keys of the `POST /conversations` response in api_examples.md (last_non_activity_message included).
CONVERSATION_KEYS = {
    "meta", "id", "messages", "account_id", "uuid", "additional_attributes", "agent_last_seen_at",
    "assignee_last_seen_at", "can_reply", "contact_last_seen_at", "custom_attributes", "inbox_id", "labels",
    "muted", "snoozed_until", "status", "created_at", "updated_at", "timestamp", "first_reply_created_at",
    "unread_count", "last_non_activity_message", "last_activity_at", "priority", "waiting_since",
    "sla_policy_id",
}
PUSH_MESSAGE_KEYS = {
    "id", "content", "account_id", "inbox_id", "conversation_id", "message_type", "created_at", "updated_at",
    "private", "status", "source_id", "content_type", "content_attributes", "sender_type", "sender_id",
    "external_source_ids", "additional_attributes", "processed_message_content", "sentiment", "conversation",
    "sender",
}


def test_api_inbox_conversation_gets_per_account_display_ids(api, sim):
    contact = create_contact(api, name="Ana", email="ana@example.mx")
    first = api.post("/conversations", json={"inbox_id": API_INBOX, "contact_id": contact["id"]})
    assert first.status_code == 200
    body = first.json()
    assert set(body) == CONVERSATION_KEYS
    assert (body["id"], body["messages"], body["can_reply"], body["status"]) == (1, [], True, "open")
    assert body["meta"]["sender"]["id"] == contact["id"] and body["meta"]["channel"] == "Channel::Api"
    assert isinstance(body["updated_at"], float) and isinstance(body["created_at"], int)
    second = api.post("/conversations", json={"inbox_id": API_INBOX, "contact_id": contact["id"]}).json()
    assert second["id"] == 2
    other = sim.add_contact(2, name="Otro", email="o@example.mx")
    inbox = sim.add_inbox(2, "API 2", "Channel::Api")
    assert sim.add_incoming_message(2, inbox, other, "x")[0] == 1


def test_whatsapp_conversation_with_template_message(api, sim):
    contact = create_contact(api, name="María", phone_number="+525512345678")
    response = api.post("/conversations", json={"inbox_id": WHATSAPP_INBOX, "contact_id": contact["id"],
                                                "assignee_id": 1, "message": {"content": "Hola María",
                                                                              "template_params": TEMPLATE}})
    assert response.status_code == 200
    body = response.json()
    assert body["can_reply"] is False and body["meta"]["assignee_type"] == "User"
    message = body["messages"][0]
    assert set(message) == PUSH_MESSAGE_KEYS
    assert (message["message_type"], message["status"], message["source_id"]) == (1, "sent", None)
    assert message["additional_attributes"] == {"template_params": TEMPLATE}
    assert message["conversation"]["contact_inbox"] == {"source_id": "525512345678"}
    stored = sim.messages(ACCOUNT, body["id"])[0]
    assert stored["status"] == "sent" and stored["source_id"].startswith("wamid.")
    assert sim.channel_log[-1]["kind"] == "template" and sim.channel_log[-1]["to"] == "525512345678"


def test_lock_to_single_conversation_returns_the_last_one(api, sim):
    locked = sim.add_inbox(ACCOUNT, "Locked", "Channel::Api", lock_to_single_conversation=True)
    contact = create_contact(api, name="Ana", email="ana@example.mx")
    first = api.post("/conversations", json={"inbox_id": locked, "contact_id": contact["id"]}).json()
    api.post(f"/conversations/{first['id']}/toggle_status", json={"status": "resolved"})
    again = api.post("/conversations", json={"inbox_id": locked, "contact_id": contact["id"],
                                             "message": {"content": "otra vez"}}).json()
    assert again["id"] == first["id"] and again["messages"][0]["content"] == "otra vez"
    assert len(sim.conversations(ACCOUNT)) == 1


def test_unknown_inbox_or_contact_is_404(api):
    contact = create_contact(api, name="Ana", email="ana@example.mx")
    not_found = {"error": "Resource could not be found"}
    assert api.post("/conversations", json={"inbox_id": 999, "contact_id": contact["id"]}).json() == not_found
    response = api.post("/conversations", json={"inbox_id": API_INBOX, "contact_id": 999})
    assert (response.status_code, response.json()) == (404, not_found)


def test_whatsapp_needs_a_contact_phone(api):
    contact = create_contact(api, name="Ana", email="ana@example.mx")
    response = api.post("/conversations", json={"inbox_id": WHATSAPP_INBOX, "contact_id": contact["id"]})
    assert response.status_code == 422
    assert response.json() == {"error": "param is missing or the value is empty: contact phone number"}


def test_agents_only_reach_member_inboxes(api, sim):
    contact = create_contact(api, name="Ana", email="ana@example.mx", phone_number="+525512345678")
    agent = api.as_(AGENT)
    denied = agent.post("/conversations", json={"inbox_id": HIDDEN_INBOX, "contact_id": contact["id"]})
    assert (denied.status_code, denied.json()) == (401, {"error": "You are not authorized to do this action"})
    allowed = agent.post("/conversations", json={"inbox_id": API_INBOX, "contact_id": contact["id"]})
    assert allowed.status_code == 200
    hidden = api.post("/conversations", json={"inbox_id": WHATSAPP_INBOX, "contact_id": contact["id"]}).json()
    assert agent.get(f"/conversations/{hidden['id']}").status_code == 401
    assert [c["id"] for c in agent.get(f"/contacts/{contact['id']}/conversations").json()["payload"]] == [1]


def test_bot_may_create_and_show_conversations(api):
    contact = create_contact(api, name="Ana", email="ana@example.mx")
    bot = api.as_(BOT)
    created = bot.post("/conversations", json={"inbox_id": API_INBOX, "contact_id": contact["id"]})
    assert created.status_code == 200
    assert bot.get(f"/conversations/{created.json()['id']}").json()["id"] == created.json()["id"]


def test_source_id_only_finds_the_contact_inbox(api):
    contact = create_contact(api, name="Ana", email="ana@example.mx", inbox_id=API_INBOX)
    source_id = contact["contact_inboxes"][0]["source_id"]
    response = api.post("/conversations", json={"source_id": source_id})
    assert response.status_code == 200 and response.json()["meta"]["sender"]["id"] == contact["id"]
    assert api.post("/conversations", json={"source_id": "nope"}).status_code == 404


def test_toggle_status(api):
    contact = create_contact(api, name="Ana", email="ana@example.mx")
    conversation = start_conversation(api, API_INBOX, contact["id"])
    path = f"/conversations/{conversation['id']}/toggle_status"
    resolved = api.post(path, json={"status": "resolved"}).json()
    assert resolved == {"meta": {}, "payload": {"success": True, "conversation_id": conversation["id"],
                                                "current_status": "resolved", "snoozed_until": None}}
    assert api.post(path, json={}).json()["payload"]["current_status"] == "open"
    assert api.post(path, json={"status": "pending"}).json()["payload"]["current_status"] == "pending"
    assert api.get(f"/conversations/{conversation['id']}").json()["status"] == "pending"
    assert api.get("/conversations/999").status_code == 404


def test_conversation_custom_attributes_are_replaced(api):
    contact = create_contact(api, name="Ana", email="ana@example.mx")
    conversation = api.post("/conversations", json={"inbox_id": API_INBOX, "contact_id": contact["id"],
                                                    "custom_attributes": {"origen": "web"}}).json()
    assert conversation["custom_attributes"] == {"origen": "web"}
    path = f"/conversations/{conversation['id']}/custom_attributes"
    replaced = api.post(path, json={"custom_attributes": {"score": 80}})
    assert replaced.json() == {"custom_attributes": {"score": 80}}


def test_incoming_message_opens_the_whatsapp_window(api, sim):
    contact = sim.add_contact(ACCOUNT, name="María", phone_number="+5215512345678")
    display_id, message_id = sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, contact, "Hola")
    conversation = api.get(f"/conversations/{display_id}").json()
    assert conversation["can_reply"] is True and conversation["unread_count"] == 1
    latest = conversation["messages"][0]
    assert (latest["id"], latest["message_type"]) == (message_id, 0)
    now = sim.clock()
    sim.clock = lambda: now + 24 * 3600 + 1
    assert api.get(f"/conversations/{display_id}").json()["can_reply"] is False


def test_teams_are_listed_per_account_and_a_team_assignment_is_kept_and_shown(api, sim):
    team = sim.add_team(ACCOUNT, "Recepción")
    other = sim.add_team(ACCOUNT + 1, "Otra cuenta")
    assert [(t["id"], t["name"]) for t in api.get("/teams").json()] == [(team, "Recepción")]
    contact = create_contact(api, name="Ana", phone_number="+525512345678")
    conversation = start_conversation(api, API_INBOX, contact["id"])
    path = f"/conversations/{conversation['id']}/assignments"
    answer = api.post(path, json={"team_id": team})
    assert answer.status_code == 200 and answer.json()["name"] == "Recepción"
    shown = api.get(f"/conversations/{conversation['id']}").json()
    assert shown["meta"]["team"]["id"] == team and "assignee" not in shown["meta"]
    assert api.post(path, json={"team_id": other}).json() is None, "another account's team: unassigned, null"
    assert "team" not in api.get(f"/conversations/{conversation['id']}").json()["meta"]
    assert api.post(path, json={}).status_code == 404
