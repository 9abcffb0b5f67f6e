"""End to end over real HTTP: the simulator signs and posts, the served app stores, the worker links."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import ChatwootInteraction, Client, WebhookEvent, WebhookStatus
from app.services.clients.records import upsert_client
from tests.fixtures.webhooks import SECRET, URL, drain, served, wired_hooked

__all__ = ["wired_hooked"]  # fixture used below
ACCOUNT = 1


def test_a_signed_incoming_message_links_the_client_and_chatwoot_gets_the_attributes(app, wired_hooked, chatwoot):
    client = upsert_client(wired_hooked, {"first_name": "María", "last_name": "López", "phone": "55 1234 5678"}).obj
    db.session.commit()
    sim = chatwoot.sim
    contact_id = sim.add_contact(ACCOUNT, name="María L.", phone_number="+5215512345678")
    _, message_id = sim.add_incoming_message(ACCOUNT, chatwoot.whatsapp_inbox_id, contact_id, "Hola, ¿tienen cita?")
    with served(app) as base:
        response = sim.send_webhook(base + URL, sim.build_message_created(ACCOUNT, message_id), SECRET)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert sim.deliveries[-1].headers["X-Chatwoot-Signature"].startswith("sha256=")
    assert sim.contact(ACCOUNT, contact_id)["custom_attributes"] == {}  # nothing happens before the worker runs
    drain()
    db.session.expire_all()
    assert db.session.get(Client, client.id).chatwoot_contact_id == str(contact_id)
    attributes = sim.contact(ACCOUNT, contact_id)["custom_attributes"]
    assert attributes["client_id"] == client.id and attributes["client_name"] == "María López"
    assert attributes["tenant_id"] == wired_hooked.id and attributes["total_appointments"] == 0


def test_an_account_webhook_delivers_every_event_once_and_the_noise_is_ignored(app, wired_hooked, chatwoot):
    """The simulator's own account webhook (signed with its generated secret) fires as Chatwoot would."""
    upsert_client(wired_hooked, {"first_name": "María", "phone": "55 1234 5678"})
    db.session.commit()
    sim = chatwoot.sim
    with served(app) as base:
        sim.add_webhook(ACCOUNT, base + URL, secret=SECRET)
        contact_id = sim.add_contact(ACCOUNT, name="María", phone_number="+5215512345678")
        sim.add_incoming_message(ACCOUNT, chatwoot.whatsapp_inbox_id, contact_id, "Hola")
        deliveries = sim.deliver_pending_webhooks()
    assert deliveries and all(d.status == 200 for d in deliveries), [(d.event, d.status) for d in deliveries]
    drain()
    events = db.session.scalars(select(WebhookEvent)).all()
    assert {e.event for e in events} >= {"message_created"}
    assert all(e.status in (WebhookStatus.DONE, WebhookStatus.IGNORED) for e in events)
    linked = db.session.scalar(select(Client.chatwoot_contact_id))
    assert linked == str(contact_id) and sim.contact(ACCOUNT, contact_id)["custom_attributes"]["client_id"]
    incoming = db.session.scalars(select(ChatwootInteraction).where(ChatwootInteraction.direction == "incoming"))
    assert [i.content_preview for i in incoming] == ["Hola"]
