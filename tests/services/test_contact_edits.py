"""Chatwoot edits flow back (INTERFACES §9): over real HTTP, the simulator's account webhook reports an
agent's edit; it reaches the client only when the tenant switched it on, and our own push is never an edit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.chatwoot.client import client_for_tenant
from app.extensions import db
from app.jobs.attributes import push_client_attributes
from app.models import AuditLog, ChatwootConfig, Client, WebhookEvent, utcnow
from tests.fixtures.notifications import make_client
from tests.fixtures.simulator import ACCOUNT_ID
from tests.fixtures.webhooks import SECRET, URL, drain, served, wired_hooked

__all__ = ["wired_hooked"]  # fixture used below


@pytest.fixture
def linked(app, wired_hooked, chatwoot):
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, "Ana Ruiz", "+525512345678", email="ana@example.com")
    client = make_client(wired_hooked, "cp-ana", "+525512345678", "Ana", "Ruiz", email="ana@example.com",
                         chatwoot_contact_id=str(contact_id))
    return client, contact_id


def accept_edits(tenant_id: str, on: bool = True) -> None:
    db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant_id)).accept_contact_edits = on
    db.session.commit()


def agent_edits(app, chatwoot, tenant_id: str, contact_id: int, **fields) -> None:
    """An agent saves the contact in Chatwoot; the account webhook delivers contact_updated; the worker runs."""
    with served(app) as base:
        chatwoot.sim.add_webhook(ACCOUNT_ID, base + URL, secret=SECRET)
        client_for_tenant(tenant_id).update_contact(contact_id, **fields)
        deliveries = chatwoot.sim.deliver_pending_webhooks()
    assert [d.status for d in deliveries if d.event == "contact_updated"] == [200]
    drain()


def edits_audited() -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == "client.chatwoot_edit")))


def test_an_agents_email_and_name_fix_reaches_the_client_when_switched_on(app, chatwoot, linked):
    client, contact_id = linked
    accept_edits(client.tenant_id)
    agent_edits(app, chatwoot, client.tenant_id, contact_id, email="Ana.Ruiz@Example.com", name="Ana María Ruiz")
    db.session.expire_all()
    fresh = db.session.get(Client, client.id)
    assert (fresh.first_name, fresh.last_name, fresh.email) == ("Ana", "María Ruiz", "ana.ruiz@example.com")
    [entry] = edits_audited()
    assert entry.actor == "chatwoot-webhook" and entry.object_id == client.id
    assert entry.details["before"] == {"first_name": "Ana", "last_name": "Ruiz", "email": "ana@example.com"}
    assert fresh.attributes_due_at is not None, "the new name is owed to the contact's client_name"


def test_edits_are_ignored_by_default(app, chatwoot, linked):
    client, contact_id = linked
    agent_edits(app, chatwoot, client.tenant_id, contact_id, email="otra@example.com")
    db.session.expire_all()
    assert db.session.get(Client, client.id).email == "ana@example.com" and edits_audited() == []
    event = db.session.scalar(select(WebhookEvent).where(WebhookEvent.event == "contact_updated"))
    assert event.status == "ignored"


def test_our_own_attribute_push_never_comes_back_as_an_edit(app, chatwoot, linked):
    client, contact_id = linked
    accept_edits(client.tenant_id)
    client.first_name = "Anita"  # renamed in CitaPlanner; the contact's own name stays "Ana Ruiz"
    db.session.commit()
    client.attributes_due_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with served(app) as base:
        chatwoot.sim.add_webhook(ACCOUNT_ID, base + URL, secret=SECRET)
        push_client_attributes.call_local(client.id)
        deliveries = chatwoot.sim.deliver_pending_webhooks()
    assert [d.event for d in deliveries] == ["contact_updated"] and deliveries[0].status == 200
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]["client_name"] == "Anita Ruiz"
    drain()
    db.session.expire_all()
    fresh = db.session.get(Client, client.id)
    assert (fresh.first_name, fresh.email) == ("Anita", "ana@example.com") and edits_audited() == []
