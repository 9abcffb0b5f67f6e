"""Assignment to the stylist (INTERFACES §9), over real HTTP with the simulator: a linked client's message
assigns her unassigned conversation to her next appointment's stylist's agent, once; else the default."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, AuditLog, ChatwootConfig, ConversationAssignment, StylistAgent, utcnow
from app.services.clients.records import upsert_client
from tests.fixtures.simulator import ACCOUNT_ID
from tests.fixtures.webhooks import SECRET, URL, drain, served, wired_hooked

__all__ = ["wired_hooked"]  # fixture used below
PHONE = "+5215512345678"


@pytest.fixture
def agents(chatwoot):
    """Two agents of the account: Lupe (Lupita's) and Rosa (the desk)."""
    sim = chatwoot.sim
    ids = {}
    for token, name in (("tok-lupe", "Lupe Agente"), ("tok-rosa", "Rosa Recepción")):
        sim.add_user(token=token, account_ids=[ACCOUNT_ID], role="agent", name=name)
        ids[name.split()[0]] = sim.db.users[token].id
    return ids


@pytest.fixture
def ana(wired_hooked):
    client = upsert_client(wired_hooked, {"first_name": "Ana", "last_name": "Ruiz", "phone": "55 1234 5678"}).obj
    db.session.add(Appointment(tenant_id=wired_hooked.id, client_id=client.id, staff_name="Lupita",
                               starts_at=utcnow() + timedelta(days=2), service_name="Corte"))
    db.session.commit()
    return client


def writes(app, chatwoot, contact_id: int, text: str) -> int:
    """The customer writes; the signed message_created reaches the served app; the worker drains. Display id."""
    sim = chatwoot.sim
    conversation_id, message_id = sim.add_incoming_message(ACCOUNT_ID, chatwoot.whatsapp_inbox_id, contact_id, text)
    with served(app) as base:
        response = sim.send_webhook(base + URL, sim.build_message_created(ACCOUNT_ID, message_id), SECRET)
    assert response.status_code == 200
    drain()
    return conversation_id


def assignee(chatwoot, conversation_id: int) -> int | None:
    found = [c for c in chatwoot.sim.conversations(ACCOUNT_ID) if c["id"] == conversation_id]
    return found[0]["meta"]["assignee"]["id"] if found[0]["meta"].get("assignee") else None


def map_stylist(app, *args: str):
    return app.test_cli_runner().invoke(args=["chatwoot", "assign-stylist", "uno", *args])


def test_the_stylists_agent_gets_the_conversation_once(app, chatwoot, agents, ana):
    result = map_stylist(app, "Lupita", "--agent-id", str(agents["Lupe"]))
    assert result.exit_code == 0, result.output
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, "Ana", PHONE)
    conversation_id = writes(app, chatwoot, contact_id, "Hola, ¿a qué hora es mi cita?")  # links her, too
    assert assignee(chatwoot, conversation_id) == agents["Lupe"]
    writes(app, chatwoot, contact_id, "¿Me oyen?")
    writes(app, chatwoot, contact_id, "Gracias")
    assert chatwoot.sim.count("POST", "/assignments") == 1
    row = db.session.scalar(select(ConversationAssignment))
    assert (row.conversation_id, row.client_id, row.agent_id) == (str(conversation_id), ana.id, agents["Lupe"])
    assert row.assigned_at is not None


def test_without_a_mapped_stylist_the_default_agent_takes_it(app, chatwoot, agents, ana, wired_hooked):
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == wired_hooked.id))
    config.default_agent_id = agents["Rosa"]
    db.session.commit()
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, "Ana", PHONE)
    conversation_id = writes(app, chatwoot, contact_id, "Hola")
    assert assignee(chatwoot, conversation_id) == agents["Rosa"]


def test_nobody_set_means_no_assignment_call(app, chatwoot, agents, ana):
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, "Ana", PHONE)
    conversation_id = writes(app, chatwoot, contact_id, "Hola")
    assert assignee(chatwoot, conversation_id) is None and chatwoot.sim.count("POST", "/assignments") == 0


def test_an_already_assigned_conversation_is_left_alone(app, chatwoot, agents, ana):
    map_stylist(app, "Lupita", "--agent-id", str(agents["Lupe"]))
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, "Ana", PHONE)
    conversation_id, _ = chatwoot.sim.add_incoming_message(ACCOUNT_ID, chatwoot.whatsapp_inbox_id, contact_id, "x")
    conversation = chatwoot.sim.conversation_in(ACCOUNT_ID, conversation_id)
    conversation.assignee_id = agents["Rosa"]
    writes(app, chatwoot, contact_id, "Hola")
    assert assignee(chatwoot, conversation_id) == agents["Rosa"]
    assert chatwoot.sim.count("POST", "/assignments") == 0


def test_the_cli_maps_and_clears_and_refuses_bad_arguments(app, wired_hooked):
    assert map_stylist(app, "Lupita").exit_code != 0
    assert map_stylist(app, "Lupita", "--agent-id", "3", "--clear").exit_code != 0
    assert map_stylist(app, " Lupita ", "--agent-id", "3").exit_code == 0
    assert db.session.scalar(select(StylistAgent.agent_id).where(StylistAgent.staff_name == "Lupita")) == 3
    result = map_stylist(app, "Lupita", "--clear")
    assert result.exit_code == 0 and "no agent" in result.output
    assert db.session.scalar(select(StylistAgent)) is None
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "chatwoot.stylist_agent")).all()
    assert [(a.details["before"], a.details["after"]) for a in audit] == [(None, 3), (3, None)]


def test_the_simulator_lists_agents_and_assigns_like_chatwoot(chatwoot, agents, wired_hooked):
    from app.chatwoot.client import client_for_tenant

    chatwoot.sim.add_bot_token("tok-bot", ACCOUNT_ID)
    api = client_for_tenant(wired_hooked.id)
    listed = api.list_agents()
    assert [a["name"] for a in listed] == ["Carlos Ruiz", "Lupe Agente", "Rosa Recepción"]
    assert {"id", "available_name", "email", "role", "availability_status", "confirmed"} <= set(listed[0])
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, "Ana", PHONE)
    conversation_id, _ = chatwoot.sim.add_incoming_message(ACCOUNT_ID, chatwoot.whatsapp_inbox_id, contact_id, "x")
    assert api.assign_conversation(conversation_id, assignee_id=agents["Lupe"])["id"] == agents["Lupe"]
    assert assignee(chatwoot, conversation_id) == agents["Lupe"]
    assert api.assign_conversation(conversation_id, assignee_id=9999) is None  # unknown id unassigns
    assert assignee(chatwoot, conversation_id) is None


def test_without_agents_the_default_team_takes_it_once(app, chatwoot, agents, ana, wired_hooked):
    team = chatwoot.sim.add_team(ACCOUNT_ID, "Recepción")
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == wired_hooked.id))
    config.default_team_id = team
    db.session.commit()
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, "Ana", PHONE)
    conversation_id = writes(app, chatwoot, contact_id, "Hola")
    writes(app, chatwoot, contact_id, "¿Hay lugar mañana?")
    conversation = chatwoot.sim.conversation_in(ACCOUNT_ID, conversation_id)
    assert conversation.team_id == team and conversation.assignee_id is None
    assert chatwoot.sim.count("POST", "/assignments") == 1
    row = db.session.scalar(select(ConversationAssignment))
    assert (row.agent_id, row.team_id) == (None, team) and row.assigned_at is not None
