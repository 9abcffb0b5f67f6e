"""Contacts: listing, creation rules, updates, contact inboxes and merging."""

from __future__ import annotations

import uuid

import pytest

from .conftest import ACCOUNT, API_INBOX, WHATSAPP_INBOX, create_contact

E164 = {"message": "Phone number should be in e164 format", "attributes": ["phone_number"]}
NOT_FOUND = {"error": "Resource could not be found"}


def seed_contacts(sim, resolved: int, unresolved: int) -> None:
    for number in range(resolved):
        sim.add_contact(ACCOUNT, name=f"Cliente {number}", phone_number=f"+52551000{number:04d}")
    for number in range(unresolved):
        sim.add_contact(ACCOUNT, name=f"Anónimo {number}")


def test_list_is_paginated_by_15_and_resolved_only(api, sim):
    seed_contacts(sim, resolved=20, unresolved=3)
    sim.add_contact(ACCOUNT, name="Solo email", email="solo@example.mx")
    sim.add_contact(ACCOUNT, name="Solo identifier", identifier="crm-1")
    first = api.get("/contacts").json()
    assert first["meta"] == {"count": 22, "current_page": 1}
    assert len(first["payload"]) == 15
    second = api.get("/contacts", params={"page": 2}).json()
    assert second["meta"] == {"count": 22, "current_page": "2"}
    names = [contact["name"] for contact in second["payload"]]
    assert len(names) == 7 and "Solo email" in names and not any(n.startswith("Anónimo") for n in names)
    assert api.get("/contacts", params={"page": 3}).json()["payload"] == []


def test_current_page_echoes_the_string_param(api, sim):
    seed_contacts(sim, resolved=1, unresolved=0)
    assert api.get("/contacts?page=1").json()["meta"]["current_page"] == "1"
    assert api.get("/contacts").json()["meta"]["current_page"] == 1


def test_list_includes_contact_inboxes_unless_disabled(api, sim):
    create_contact(api, name="María", phone_number="+525512345678", inbox_id=WHATSAPP_INBOX)
    contact = api.get("/contacts").json()["payload"][0]
    assert contact["contact_inboxes"][0]["source_id"] == "525512345678"
    plain = api.get("/contacts", params={"include_contact_inboxes": "false"}).json()["payload"][0]
    assert "contact_inboxes" not in plain


def test_create_without_inbox(api):
    response = api.post("/contacts", json={"name": "María López", "phone_number": "+525512345678",
                                           "email": "Maria@Example.MX",
                                           "custom_attributes": {"plan": "premium"}})
    assert response.status_code == 200
    payload = response.json()["payload"]
    assert payload["contact_inbox"] == {"inbox": None, "source_id": None}
    contact = payload["contact"]
    assert contact["email"] == "maria@example.mx" and contact["contact_inboxes"] == []
    assert contact["custom_attributes"] == {"plan": "premium"} and contact["availability_status"] == "offline"
    assert isinstance(contact["created_at"], int)


def test_create_with_whatsapp_inbox_uses_phone_without_plus(api):
    payload = api.post("/contacts", json={"name": "María", "phone_number": "+525512345678",
                                          "inbox_id": WHATSAPP_INBOX}).json()["payload"]
    assert payload["contact_inbox"]["source_id"] == "525512345678"
    raw_inbox = payload["contact_inbox"]["inbox"]
    assert raw_inbox["account_id"] == ACCOUNT and "portal_id" in raw_inbox and "provider" not in raw_inbox
    link = payload["contact"]["contact_inboxes"][0]
    assert link["inbox"] == {"id": WHATSAPP_INBOX, "avatar_url": "",
                             "channel_id": link["inbox"]["channel_id"],
                             "name": "WhatsApp Ventas", "channel_type": "Channel::Whatsapp",
                             "provider": "whatsapp_cloud"}


def test_create_with_api_inbox_generates_a_uuid(api):
    payload = api.post("/contacts", json={"name": "Ana", "inbox_id": API_INBOX}).json()["payload"]
    uuid.UUID(payload["contact_inbox"]["source_id"])


def test_whatsapp_inbox_without_phone_saves_nothing(api, sim):
    response = api.post("/contacts", json={"name": "Sin teléfono", "inbox_id": WHATSAPP_INBOX})
    assert response.status_code == 422
    assert response.json() == {"error": "param is missing or the value is empty: contact phone number"}
    assert sim.contacts(ACCOUNT) == []


@pytest.mark.parametrize("phone", ["5512345678", "+52 55 1234 5678", "+52-55-1234-5678", "+0525512345678",
                                   "+5", "+5255123456789012", "+525512345678\n"])
def test_phone_must_end_in_e164(api, phone):
    response = api.post("/contacts", json={"name": "X", "phone_number": phone})
    assert (response.status_code, response.json()) == (422, E164)


def test_phone_regex_has_no_start_anchor(api):
    contact = create_contact(api, name="Quirk", phone_number="x+525512345678")
    assert contact["phone_number"] == "x+525512345678"


def test_duplicates_are_422_with_joined_messages(api):
    create_contact(api, name="A", phone_number="+525512345678", email="a@example.mx", identifier="crm-1")
    phone = api.post("/contacts", json={"name": "B", "phone_number": "+525512345678"})
    assert phone.json() == {"message": "Phone number has already been taken", "attributes": ["phone_number"]}
    both = api.post("/contacts", json={"name": "C", "email": "A@EXAMPLE.MX", "identifier": "crm-1"})
    assert both.status_code == 422
    assert both.json() == {"message": "Email has already been taken, Identifier has already been taken",
                           "attributes": ["email", "identifier"]}
    assert create_contact(api, name="D", identifier="CRM-1")["identifier"] == "CRM-1"


def test_invalid_email(api):
    response = api.post("/contacts", json={"name": "X", "email": "not-an-email"})
    assert response.json() == {"message": "Email Invalid email", "attributes": ["email"]}


def test_plus_52_and_plus_521_may_coexist(api):
    create_contact(api, name="María", phone_number="+525512345678")
    assert create_contact(api, name="María WA", phone_number="+5215512345678")["id"]


def test_show_and_unknown_contact(api):
    contact = create_contact(api, name="María", phone_number="+525512345678")
    shown = api.get(f"/contacts/{contact['id']}").json()["payload"]
    assert shown["id"] == contact["id"] and "contact_inboxes" in shown
    assert (api.get("/contacts/999").status_code, api.get("/contacts/999").json()) == (404, NOT_FOUND)
    assert api.get("/contacts/abc").json() == NOT_FOUND


def test_update_assigns_sent_fields_and_shallow_merges_hashes(api):
    contact = create_contact(api, name="María", phone_number="+525512345678",
                             custom_attributes={"crm_id": "10023", "plan": "premium"},
                             additional_attributes={"city": "CDMX"})
    response = api.put(f"/contacts/{contact['id']}", json={"custom_attributes": {"plan": "enterprise"},
                                                            "additional_attributes": {"country": "MX"}})
    updated = response.json()["payload"]
    assert updated["custom_attributes"] == {"crm_id": "10023", "plan": "enterprise"}
    assert updated["additional_attributes"] == {"city": "CDMX", "country": "MX"}
    assert (updated["name"], updated["phone_number"]) == ("María", "+525512345678")
    patched = api.patch(f"/contacts/{contact['id']}", json={"name": "María López"}).json()["payload"]
    assert patched["name"] == "María López" and patched["custom_attributes"]["plan"] == "enterprise"


def test_update_validates_like_create(api):
    create_contact(api, name="A", phone_number="+525511111111")
    other = create_contact(api, name="B", phone_number="+525522222222")
    taken = api.put(f"/contacts/{other['id']}", json={"phone_number": "+525511111111"})
    assert taken.json() == {"message": "Phone number has already been taken", "attributes": ["phone_number"]}
    assert api.put(f"/contacts/{other['id']}", json={"phone_number": "55 2222"}).json() == E164
    assert api.put(f"/contacts/{other['id']}", json={"phone_number": "+525522222222"}).status_code == 200


def test_destroy_custom_attributes(api):
    contact = create_contact(api, name="A", custom_attributes={"plan": "x", "crm_id": "1"}, email="a@b.mx")
    path = f"/contacts/{contact['id']}/destroy_custom_attributes"
    response = api.post(path, json={"custom_attributes": ["plan"]})
    assert response.json()["payload"]["custom_attributes"] == {"crm_id": "1"}


def test_contact_inboxes_and_contactable_inboxes(api):
    contact = create_contact(api, name="María", phone_number="+525512345678")
    created = api.post(f"/contacts/{contact['id']}/contact_inboxes", json={"inbox_id": API_INBOX,
                                                                           "source_id": "crm-10023"})
    assert created.json() == {"source_id": "crm-10023", "inbox": {
        "id": API_INBOX, "avatar_url": "", "channel_id": created.json()["inbox"]["channel_id"],
        "name": "Integración CRM", "channel_type": "Channel::Api", "provider": None}}
    bad = api.post(f"/contacts/{contact['id']}/contact_inboxes", json={"inbox_id": WHATSAPP_INBOX,
                                                                       "source_id": "+52 55"})
    assert bad.status_code == 422 and bad.json()["attributes"] == ["source_id"]
    reachable = api.get(f"/contacts/{contact['id']}/contactable_inboxes").json()["payload"]
    sources = {item["inbox"]["id"]: item["source_id"] for item in reachable}
    assert sources == {WHATSAPP_INBOX: "525512345678", API_INBOX: "crm-10023"}


def test_merge_moves_conversations_and_deletes_the_mergee(api, sim):
    base = create_contact(api, name="María", phone_number="+525512345678",
                          custom_attributes={"plan": "premium", "nested": {"a": 1}})
    mergee = sim.add_contact(ACCOUNT, name="María WA", phone_number="+5215512345678",
                             email="maria@example.mx",
                             custom_attributes={"plan": "basic", "crm_id": "7", "nested": {"a": 2, "b": 3}})
    display_id, _ = sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, mergee, "Hola")
    response = api.post("/actions/contact_merge",
                        json={"base_contact_id": base["id"], "mergee_contact_id": mergee})
    assert response.status_code == 200
    merged = response.json()
    assert "payload" not in merged and merged["id"] == base["id"]
    assert merged["custom_attributes"] == {"plan": "premium", "crm_id": "7", "nested": {"a": 1, "b": 3}}
    assert merged["email"] == "maria@example.mx" and merged["phone_number"] == "+525512345678"
    assert api.get(f"/contacts/{mergee}").status_code == 404
    conversations = api.get(f"/contacts/{base['id']}/conversations").json()["payload"]
    assert [c["id"] for c in conversations] == [display_id]
    assert conversations[0]["meta"]["sender"]["id"] == base["id"]


def test_merge_with_unknown_contact(api):
    base = create_contact(api, name="A", email="a@example.mx")
    response = api.post("/actions/contact_merge",
                        json={"base_contact_id": base["id"], "mergee_contact_id": 999})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
