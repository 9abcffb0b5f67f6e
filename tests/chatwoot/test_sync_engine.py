"""What one sync does: list once, match locally, link, create only what is missing, push only changes."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import requests
from sqlalchemy import select, text

from app.chatwoot.client import ChatwootClient
from app.chatwoot.client_matcher import chatwoot_client_matcher
from app.extensions import db
from app.models import AuditLog, Client, SyncRun, SyncStatus, utcnow
from app.services.contacts.linking import client_attributes
from app.services.sync.engine import BATCH_SIZE, SEARCHES_PER_MINUTE, SyncEngine
from app.services.sync.runs import create_run
from tests.chatwoot.conftest import (
    key,
    linked_contacts,
    national,
    phone_duplicates,
    seed_appointments,
    seed_clients,
)
from tests.fixtures.simulator import ACCOUNT_ID, ADMIN_TOKEN

CLIENTS, PEOPLE_IN_CHATWOOT = 3000, 1400
PRELINKED, STALE = range(1000, 1100), range(1100, 1110)


def sync(tenant):
    return chatwoot_client_matcher.sync_all_clients_to_chatwoot(tenant.id)


def seed_account(sim) -> dict[int, list[int]]:
    """1,500 contacts: 1,400 clients' (every 5th stored as +521, 30 people twice), 50 strangers, 20 email-only.

    Returns {person: [contact ids, preferred first]}. The first 15 contacts (page 1) are plain +52 ones.
    """
    pairs = {i for i in range(PEOPLE_IN_CHATWOOT) if i % 47 == 3}
    plain = [i for i in range(PEOPLE_IN_CHATWOOT) if i % 5 and i not in pairs and i not in PRELINKED]
    first_page = plain[:15]
    rest = [i for i in range(PEOPLE_IN_CHATWOOT) if i not in first_page]
    random.Random(3).shuffle(rest)
    contacts: dict[int, list[int]] = {}
    for i in first_page + rest:
        stored = "+521" + national(i) if i % 5 == 0 else key(i)
        contacts[i] = [sim.add_contact(ACCOUNT_ID, name=f"WhatsApp {i}", phone_number=stored)]
        if i in pairs:
            other = key(i) if stored != key(i) else "+521" + national(i)
            contacts[i].append(sim.add_contact(ACCOUNT_ID, name=f"WhatsApp bis {i}", phone_number=other))
            contacts[i].sort(key=lambda cid, i=i: (sim.contact(ACCOUNT_ID, cid)["phone_number"] != key(i), cid))
    for j in range(50):
        sim.add_contact(ACCOUNT_ID, name=f"Desconocido {j}", phone_number=f"+52331{j:07d}")
    for j in range(20):
        sim.add_contact(ACCOUNT_ID, name=f"Correo {j}", email=f"correo{j}@example.com")
    assert len(sim.contacts(ACCOUNT_ID)) == 1500
    return contacts


def miss_on_first_page(chatwoot, hidden: int) -> list[int]:
    """The next listing call answers page 1 without `hidden` of its contacts (they appeared meanwhile)."""
    page = requests.get(f"{chatwoot.url}/api/v1/accounts/{ACCOUNT_ID}/contacts", params={"page": 1},
                        headers={"api_access_token": ADMIN_TOKEN}, timeout=5).json()
    missing, page["payload"] = page["payload"][:hidden], page["payload"][hidden:]
    chatwoot.sim.clear_log()
    chatwoot.sim.fail_next(1, status=200, body=page, path_contains=f"/accounts/{ACCOUNT_ID}/contacts")
    return [c["id"] for c in missing]


def test_3000_clients_against_1500_contacts(app, wired_tenant, chatwoot):
    sim = chatwoot.sim
    contacts = seed_account(sim)
    ids = seed_clients(wired_tenant, CLIENTS)
    for i in PRELINKED:  # linked earlier, pairs by hand to their second contact: links are kept
        db.session.get(Client, ids[i]).chatwoot_contact_id = str(contacts[i][-1])
    for i in STALE:  # linked to contacts merged away since
        db.session.get(Client, ids[i]).chatwoot_contact_id = str(900_000 + i)
    seed_appointments(wired_tenant, ids[:300], utcnow() - timedelta(days=20))
    missing = miss_on_first_page(chatwoot, hidden=5)

    result = sync(wired_tenant)

    assert result.status == SyncStatus.DONE and result.error is None
    assert (result.synced, result.total, result.failed, result.skipped) == (CLIENTS, CLIENTS, 0, 0)
    assert (result.created, result.linked, result.updated) == (1600, 1300, 100)
    assert result.searches == 5 < 20 and sim.count("GET", "/contacts/search") == 5
    links = linked_contacts(wired_tenant)
    assert len(set(links.values())) == CLIENTS, "every client has its own contact"
    for i in range(PEOPLE_IN_CHATWOOT):
        expected = contacts[i][-1] if i in PRELINKED else contacts[i][0]
        assert links[key(i)] == str(expected), i
    assert {int(links[key(i)]) for i in range(5)} <= {cid for i in range(5) for cid in contacts[i]}
    assert all(str(cid) in links.values() for cid in missing)
    everyone = {str(c["id"]): c for c in sim.contacts(ACCOUNT_ID)}
    assert len(everyone) == 1500 + 1600 and phone_duplicates(sim, ACCOUNT_ID) == []
    for i in (0, 1, 7, 299, 1000, 1105, 2999):
        contact = everyone[links[key(i)]]
        assert contact["custom_attributes"]["client_id"] == ids[i]
        assert contact["custom_attributes"]["total_appointments"] == (1 if i < 300 else 0)
    assert everyone[links[key(2999)]]["name"] == "Cliente2999 Prueba"
    assert everyone[links[key(5)]]["name"] == "WhatsApp 5", "an existing contact keeps its name"

    sim.clear_log()
    again = sync(wired_tenant)
    assert (again.created, again.linked, again.updated, again.failed, again.synced) == (0, 0, 0, 0, CLIENTS)
    calls = {(r.method, r.path) for r in sim.request_log}
    assert calls == {("GET", f"/api/v1/accounts/{ACCOUNT_ID}/contacts")}
    assert sim.count() == math.ceil(3100 / 15)  # only the listing, 15 contacts per page


def test_only_changed_attributes_are_pushed(app, wired_tenant, chatwoot):
    ids = seed_clients(wired_tenant, 20)
    sync(wired_tenant)
    seed_appointments(wired_tenant, [ids[3]], utcnow() + timedelta(days=2))
    chatwoot.sim.clear_log()
    result = sync(wired_tenant)
    assert (result.updated, result.created, result.linked) == (1, 0, 0)
    [put] = [r for r in chatwoot.sim.request_log if r.method == "PUT"]
    client = db.session.get(Client, ids[3])
    assert put.path.endswith(f"/contacts/{client.chatwoot_contact_id}")
    assert put.json["custom_attributes"] == client_attributes(client)
    assert put.json["custom_attributes"]["next_appointment"] is not None


def test_clients_sharing_a_phone_are_skipped_not_linked(app, wired_tenant, chatwoot):
    contact = chatwoot.sim.add_contact(ACCOUNT_ID, name="Familia", phone_number="+5215512345678")
    for first, phone in (("Ana", "5512345678"), ("Sofía", "5587654321"), ("Luis", "5522223333")):
        db.session.add(Client(tenant_id=wired_tenant.id, first_name=first, phone=phone))
    db.session.add(Client(tenant_id=wired_tenant.id, first_name="Sin", phone="no tengo"))
    db.session.commit()
    # What migration 0008 leaves of two clients on one number: both kept, neither with a canonical number.
    db.session.execute(text("UPDATE clients SET phone = '+52 55 1234 5678', phone_e164 = NULL "
                            "WHERE first_name IN ('Ana', 'Sofía')"))
    db.session.commit()
    result = sync(wired_tenant)
    assert (result.synced, result.total, result.created, result.linked) == (1, 4, 1, 0)
    assert (result.failed, result.skipped) == (0, 3)
    messages = sorted(e["message"] for e in result.errors)
    assert messages == ["no valid phone number"] * 3
    assert all(e["kind"] == "skipped" for e in result.errors)
    assert db.session.scalar(select(Client.id).where(Client.chatwoot_contact_id == str(contact))) is None


def test_a_link_made_by_hand_is_kept_and_its_contact_not_reused(app, wired_tenant, chatwoot):
    other = chatwoot.sim.add_contact(ACCOUNT_ID, name="Alguien", phone_number="+525599990000")
    manual = Client(tenant_id=wired_tenant.id, first_name="Ana", phone="5512345678", chatwoot_contact_id=str(other))
    same_phone_as_contact = Client(tenant_id=wired_tenant.id, first_name="Beto", phone="5599990000")
    db.session.add_all([manual, same_phone_as_contact])
    db.session.commit()
    result = sync(wired_tenant)
    assert (result.updated, result.created, result.linked, result.skipped) == (1, 0, 0, 1)
    assert manual.chatwoot_contact_id == str(other)
    assert result.errors[0]["message"] == (f"contact {other} with the phone +525599990000 is already linked to "
                                           f"client {manual.id}")
    assert len(chatwoot.sim.contacts(ACCOUNT_ID)) == 1


def test_a_contact_that_404s_on_update_is_resolved_again(app, wired_tenant, chatwoot):
    exact = chatwoot.sim.add_contact(ACCOUNT_ID, name="Juan", phone_number="+525512345678")
    variant = chatwoot.sim.add_contact(ACCOUNT_ID, name="Juan WA", phone_number="+5215512345678")
    client = Client(tenant_id=wired_tenant.id, first_name="Juan", phone="5512345678", chatwoot_contact_id=str(exact))
    db.session.add(client)
    db.session.commit()
    chatwoot.sim.fail_next(1, status=404, body={"error": "Resource could not be found"},
                           path_contains=f"/contacts/{exact}")
    result = sync(wired_tenant)
    assert (result.linked, result.failed, result.created) == (1, 0, 0)
    assert client.chatwoot_contact_id == str(variant)
    moves = db.session.execute(select(AuditLog.action, AuditLog.details).where(AuditLog.object_id == client.id)
                               .order_by(AuditLog.created_at)).all()
    assert [(action, details["previous"], details["contact_id"]) for action, details in moves] == \
        [("client.link", str(exact), str(variant))], "one audited move from the lost contact to the found one"


def test_a_contact_not_listed_but_existing_is_kept(app, wired_tenant, chatwoot):
    """Chatwoot lists only contacts with a phone, email or identifier; a link to another one stays."""
    bare = chatwoot.sim.add_contact(ACCOUNT_ID, name="Sin datos")
    client = Client(tenant_id=wired_tenant.id, first_name="Eva", phone="5512345678", chatwoot_contact_id=str(bare))
    db.session.add(client)
    db.session.commit()
    result = sync(wired_tenant)
    assert (result.updated, result.created, result.linked, result.synced) == (1, 0, 0, 1)
    assert client.chatwoot_contact_id == str(bare)
    assert chatwoot.sim.contact(ACCOUNT_ID, bare)["custom_attributes"]["client_id"] == client.id


def execute(engine: SyncEngine) -> str:
    """Drive the engine's steps as the job does (commit at each one); its final status."""
    steps = engine.steps()
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value
        db.session.commit()


def test_contacts_that_appear_after_the_listing_cost_one_search_each_and_stay_under_the_limit(
        app, wired_tenant, chatwoot):
    for i in range(SEARCHES_PER_MINUTE + 10):
        chatwoot.sim.add_contact(ACCOUNT_ID, name=f"P{i}", phone_number=key(i))
    seed_clients(wired_tenant, SEARCHES_PER_MINUTE + 10)
    chatwoot.sim.fail_next(1, status=200, body={"meta": {"count": 0, "current_page": "1"}, "payload": []},
                           path_contains="/contacts")
    run = create_run(wired_tenant.id)
    run.status = SyncStatus.RUNNING
    db.session.commit()
    sleeps, clock = [], [60 * 1000 + 30.0]
    api = ChatwootClient(chatwoot.url, ACCOUNT_ID, ADMIN_TOKEN, sleep=sleeps.append, clock=lambda: clock[0])
    assert execute(SyncEngine(run, api)) == SyncStatus.DONE
    assert (run.linked, run.created, run.searches) == (SEARCHES_PER_MINUTE + 10, 0, SEARCHES_PER_MINUTE + 10)
    assert sleeps == [30.0], "the 51st search waits for the next minute"


def test_cancel_between_batches(app, wired_tenant, chatwoot):
    seed_clients(wired_tenant, BATCH_SIZE * 3)
    run = create_run(wired_tenant.id)
    db.session.commit()

    def dashboard_cancels(current):
        if current.processed >= BATCH_SIZE:
            with db.engine.begin() as other_session:
                other_session.execute(SyncRun.__table__.update().where(SyncRun.id == run.id)
                                      .values(cancel_requested=True))

    from app.jobs.sync import run_sync

    run = run_sync(run.id, dashboard_cancels)
    assert run.status == SyncStatus.CANCELLED and run.processed == BATCH_SIZE and run.finished_at
    assert sum(1 for v in linked_contacts(wired_tenant).values() if v) == BATCH_SIZE


def test_a_long_batch_keeps_its_lease_with_heartbeats_inside_the_batch(app, wired_tenant, chatwoot, monkeypatch):
    from app.services.sync import engine as sync_engine
    from app.services.sync.runs import claim_run, sync_steps

    monkeypatch.setattr(sync_engine, "renew_every", lambda: timedelta(0))  # every client is "a third of a lease later"
    seed_clients(wired_tenant, 7)
    run = create_run(wired_tenant.id)
    db.session.commit()
    run = claim_run(run.id)
    db.session.commit()
    beats, progress = [], []
    for step in sync_steps(run):
        db.session.commit()
        with db.engine.connect() as other:  # what another worker (or the sweeper) sees
            beats.append(other.scalar(select(SyncRun.heartbeat_at).where(SyncRun.id == run.id)))
        progress.append((step, run.processed))
    assert run.status == SyncStatus.DONE
    assert [processed for step, processed in progress if step == "write"][-7:] == [1, 2, 3, 4, 5, 6, 7], \
        "each client is committed before the next one calls Chatwoot"
    assert len(set(beats)) >= 9 and beats == sorted(beats), "the lease is renewed after every client"
