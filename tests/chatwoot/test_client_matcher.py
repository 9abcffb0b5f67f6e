"""Finding the client behind a phone number, and the seed's Python examples (INTERFACES §6)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.chatwoot.api import chatwoot_api_service
from app.chatwoot.client_matcher import chatwoot_client_matcher
from app.extensions import db
from app.models import Client
from app.services.accounts.tenants import TenantError
from app.services.contacts.matching import MatchReason
from tests.fixtures.plans import query_plans
from tests.fixtures.simulator import ACCOUNT_ID


def add_client(tenant, first, phone, last="") -> Client:
    client = Client(tenant_id=tenant.id, first_name=first, last_name=last, phone=phone)
    db.session.add(client)
    db.session.commit()
    return client


@pytest.mark.parametrize("written", ["+525512345678", "55 1234 5678", "+52 1 55 1234 5678", "045 55 1234 5678",
                                     "5215512345678", "(55) 1234-5678"])
def test_finds_the_client_however_the_number_is_written(app, tenant, written):
    juan = add_client(tenant, "Juan", "5512345678", "Pérez")
    assert chatwoot_client_matcher.find_client_by_phone(written, tenant.id) is juan


def test_numbers_shared_before_the_rule_match_nobody(app, tenant):
    """Clients that shared a number before one-phone-one-client keep no canonical number (migration 0008)."""
    add_client(tenant, "Ana", "5512345678")
    add_client(tenant, "Sofía", "5587654321")
    db.session.execute(text("UPDATE clients SET phone = '+52 1 55 1234 5678', phone_e164 = NULL"))
    db.session.commit()
    assert chatwoot_client_matcher.find_client_by_phone("+525512345678", tenant.id) is None
    found = chatwoot_client_matcher.match("+525512345678", tenant.id)
    assert found.reason == MatchReason.NO_MATCH and found.client is None
    with pytest.raises(IntegrityError):  # and no new pair can be stored
        add_client(tenant, "Eva", "55 8765 4321")
        add_client(tenant, "Eli", "+52 55 8765 4321")
    db.session.rollback()


def test_an_extension_or_a_label_still_finds_the_client(app, tenant):
    juan = add_client(tenant, "Juan", "5512345678")
    assert chatwoot_client_matcher.find_client_by_phone("55 1234 5678 ext 12", tenant.id) is juan
    assert chatwoot_client_matcher.find_client_by_phone("whatsapp:+5215512345678", tenant.id) is juan


@pytest.mark.parametrize(("phone", "reason"), [
    ("+525599998888", MatchReason.NO_MATCH), ("hola", MatchReason.INVALID_PHONE), ("", MatchReason.NO_PHONE),
    (None, MatchReason.NO_PHONE), ("55 1234 abcd", MatchReason.INVALID_PHONE)])
def test_no_client_and_the_reason(app, tenant, phone, reason):
    add_client(tenant, "Juan", "5512345678")
    assert chatwoot_client_matcher.find_client_by_phone(phone, tenant.id) is None
    assert chatwoot_client_matcher.match(phone, tenant.id).reason == reason


def test_another_tenants_client_is_never_found(app, tenant, other_tenant):
    add_client(other_tenant, "Juan", "5512345678")
    assert chatwoot_client_matcher.match("5512345678", tenant.id).reason == MatchReason.NO_MATCH


def test_the_lookup_uses_the_tenant_phone_index(app, tenant):
    add_client(tenant, "Juan", "5512345678")
    [(_, plan)] = query_plans(lambda: chatwoot_client_matcher.find_client_by_phone("5512345678", tenant.id),
                              lambda statement: "FROM clients" in statement)
    assert "(tenant_id=? AND phone_e164=?)" in plan and "SCAN clients" not in plan


def test_the_seeds_python_examples_run_as_shown(app, wired_tenant, chatwoot):
    """INTERFACES §6: load_config_for_tenant, send_message_to_contact, find_client_by_phone, sync."""
    tenant_id = wired_tenant.id
    juan = add_client(wired_tenant, "Juan", "+525512345678", "Pérez")
    add_client(wired_tenant, "María", "5587654321", "López")

    config = chatwoot_api_service.load_config_for_tenant(tenant_id)
    assert (config.api_url, config.account_id, config.enabled) == (chatwoot.url, str(ACCOUNT_ID), True)

    result = chatwoot_api_service.send_message_to_contact(to="+525512345678",
                                                          message="Mensaje de prueba desde CitaPlanner",
                                                          tenant_id=tenant_id)
    assert result.success and result.error is None
    [message] = chatwoot.sim.messages(ACCOUNT_ID, int(result.conversation_id))
    assert (str(message["id"]), message["content"]) == (result.message_id, "Mensaje de prueba desde CitaPlanner")

    assert chatwoot_client_matcher.find_client_by_phone("+525512345678", tenant_id) is juan

    result = chatwoot_client_matcher.sync_all_clients_to_chatwoot(tenant_id)
    assert (result.synced, result.total) == (2, 2)
    assert f"Sincronizados: {result.synced} de {result.total}" == "Sincronizados: 2 de 2"
    phones = sorted(c["phone_number"] for c in chatwoot.sim.contacts(ACCOUNT_ID))
    assert phones == ["+525512345678", "+525587654321"]


def test_the_python_api_takes_a_slug_as_well_as_an_id(app, wired_tenant, chatwoot):
    """INTERFACES §6: wherever a tenant is named, its id or its slug is accepted."""
    juan = add_client(wired_tenant, "Juan", "+525512345678", "Pérez")
    slug = wired_tenant.slug
    assert chatwoot_api_service.load_config_for_tenant(slug).api_url == chatwoot.url
    assert chatwoot_client_matcher.find_client_by_phone("55 1234 5678", slug) is juan
    sent = chatwoot_api_service.send_message_to_contact(to="+525512345678", message="Hola", tenant_id=slug)
    assert sent.success, sent.error


def test_an_unknown_tenant_is_named_in_the_error(app, wired_tenant):
    with pytest.raises(TenantError, match="no-such-salon"):
        chatwoot_api_service.load_config_for_tenant("no-such-salon")
    sent = chatwoot_api_service.send_message_to_contact(to="+525512345678", message="Hola", tenant_id="no-such-salon")
    assert not sent.success and "no-such-salon" in sent.error


def test_a_sync_already_queued_is_run_and_its_counts_returned(app, wired_tenant, chatwoot):
    """INTERFACES §6: with a run active for the tenant, the call returns that run's counts."""
    from app.models import SyncRun
    from app.services.sync.runs import start_sync

    add_client(wired_tenant, "Juan", "+525512345678")
    queued = start_sync(wired_tenant.id)  # the dashboard's run, not taken by a worker yet
    db.session.commit()
    result = chatwoot_client_matcher.sync_all_clients_to_chatwoot(wired_tenant.slug)
    assert (result.run_id, result.status, result.synced, result.created) == (queued.id, "done", 1, 1)
    assert db.session.query(SyncRun).count() == 1


def test_a_running_sync_is_waited_for_and_taken_over_when_its_worker_dies(app, wired_tenant, chatwoot):
    from app.services.sync.runs import claim_run, start_sync

    app.config["WORKER_LEASE_SECONDS"] = 1.0
    add_client(wired_tenant, "Juan", "+525512345678")
    run = start_sync(wired_tenant.id)
    db.session.commit()
    assert claim_run(run.id) is not None  # a worker took it, then was killed: its heartbeat stops
    db.session.commit()
    result = chatwoot_client_matcher.sync_all_clients_to_chatwoot(wired_tenant.id)
    assert (result.run_id, result.status, result.synced) == (run.id, "done", 1)
    assert "the worker stopped during the run; resumed" in [e["message"] for e in result.errors]
    assert len(chatwoot.sim.contacts(ACCOUNT_ID)) == 1
