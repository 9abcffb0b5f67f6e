"""Reaching a person: reuse their contact (whatever form Chatwoot stores it in) and their open conversation."""

from __future__ import annotations

import requests

from app.chatwoot.api import chatwoot_api_service
from app.chatwoot.client import ChatwootClient
from app.chatwoot.types import Contact
from app.extensions import db
from app.models import ChatwootInteraction, Client
from app.phone import parse_phone
from app.services.contacts.remote import ensure_contact, find_contact_for_phone, preferred_contacts
from tests.fixtures.simulator import ACCOUNT_ID, ADMIN_TOKEN


def send(tenant, to, text="Hola"):
    return chatwoot_api_service.send_message_to_contact(to=to, message=text, tenant_id=tenant.id)


def test_an_existing_contact_and_its_open_conversation_are_reused(app, wired_tenant, chatwoot):
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, name="Juan", phone_number="+525512345678")
    first = send(wired_tenant, "55 1234 5678", "Uno")
    second = send(wired_tenant, "+52 55 1234 5678", "Dos")
    assert first.success and second.success
    assert first.contact_id == second.contact_id == str(contact_id)
    assert first.conversation_id == second.conversation_id
    assert chatwoot.sim.count("POST", "/contacts") == 0
    assert chatwoot.sim.count("POST", "/conversations") == 3  # one conversation, two messages
    contents = [m["content"] for m in chatwoot.sim.messages(ACCOUNT_ID, int(first.conversation_id))]
    assert contents == ["Uno", "Dos"]
    assert db.session.query(ChatwootInteraction).filter_by(event="test_message").count() == 2


def test_a_contact_stored_as_521_is_the_same_person(app, wired_tenant, chatwoot):
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, name="María", phone_number="+5215587654321")
    result = send(wired_tenant, "5587654321")
    assert result.success and result.contact_id == str(contact_id)
    assert [c["phone_number"] for c in chatwoot.sim.contacts(ACCOUNT_ID)] == ["+5215587654321"]


def test_of_several_forms_the_exact_one_wins_then_the_oldest(app, chatwoot):
    chatwoot.sim.add_contact(ACCOUNT_ID, name="Vieja", phone_number="+5215512345678")
    exact = chatwoot.sim.add_contact(ACCOUNT_ID, name="Exacta", phone_number="+525512345678")
    api = ChatwootClient(chatwoot.url, ACCOUNT_ID, ADMIN_TOKEN)
    assert find_contact_for_phone(api, parse_phone("5512345678")).id == str(exact)
    pair = [Contact.from_api({"id": 9, "phone_number": "+5215512345678"}),
            Contact.from_api({"id": 4, "phone_number": "+5215512345678"})]
    assert [c.id for c in preferred_contacts(pair, "+525512345678")] == ["4", "9"]


def test_a_contact_missing_is_created_with_the_canonical_phone(app, wired_tenant, chatwoot):
    db.session.add(Client(tenant_id=wired_tenant.id, first_name="Luis", last_name="Hernández", phone="5522223333"))
    db.session.commit()
    result = send(wired_tenant, "+52 1 55 2222 3333")
    assert result.success
    [contact] = chatwoot.sim.contacts(ACCOUNT_ID)
    assert (contact["name"], contact["phone_number"], str(contact["id"])) == (
        "Luis Hernández", "+525522223333", result.contact_id)


def test_taken_on_create_is_resolved_by_searching_again(app, chatwoot):
    """The contact appeared between our search and our create: 422 'taken' → search → reuse, no duplicate."""
    existing = chatwoot.sim.add_contact(ACCOUNT_ID, name="Juan", phone_number="+525512345678")
    chatwoot.sim.fail_next(1, status=200, body={"meta": {"count": 0, "current_page": "1", "has_more": False},
                                                "payload": []}, path_contains="/contacts/search")
    api = ChatwootClient(chatwoot.url, ACCOUNT_ID, ADMIN_TOKEN)
    contact, created = ensure_contact(api, parse_phone("5512345678"), "Juan")
    assert (contact.id, created) == (str(existing), False)
    assert api.stats.searches == 2 and chatwoot.sim.count("POST", "/contacts") == 1
    assert len(chatwoot.sim.contacts(ACCOUNT_ID)) == 1


def test_a_linked_contact_merged_away_is_found_again(app, wired_tenant, chatwoot):
    old = chatwoot.sim.add_contact(ACCOUNT_ID, name="Juan", phone_number="+5215512345678")
    base = chatwoot.sim.add_contact(ACCOUNT_ID, name="Juan P", email="juan@example.com")
    client = Client(tenant_id=wired_tenant.id, first_name="Juan", phone="5512345678", chatwoot_contact_id=str(old))
    db.session.add(client)
    db.session.commit()
    merged = requests.post(f"{chatwoot.url}/api/v1/accounts/{ACCOUNT_ID}/actions/contact_merge", timeout=5,
                           headers={"api_access_token": ADMIN_TOKEN},
                           json={"base_contact_id": base, "mergee_contact_id": old})
    assert merged.status_code == 200
    result = send(wired_tenant, "5512345678")
    assert result.success and result.contact_id == str(base)  # the merged contact kept the phone


def test_bad_input_and_missing_settings_give_an_error_result(app, wired_tenant, other_tenant, chatwoot):
    assert send(wired_tenant, "hola").error == "not a phone number: it contains letters"
    assert send(wired_tenant, "5512345678", "  ").error == "message is empty"
    assert send(other_tenant, "5512345678").error == (
        "Chatwoot settings incomplete: missing api_url, api_token, account_id")
    assert chatwoot.sim.request_log == []


def test_chatwoot_down_gives_an_error_result_not_an_exception(app, wired_tenant, chatwoot):
    chatwoot.sim.set_down(True)
    result = send(wired_tenant, "5512345678")
    assert not result.success and result.error == "Chatwoot answered 503"
