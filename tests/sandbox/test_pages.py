"""The simulator's read-only pages at Chatwoot's own paths, and the "a customer writes" form."""

from __future__ import annotations

import requests

from .conftest import ACCOUNT, ADMIN, WHATSAPP_INBOX


def page(sim_server, path, **kwargs):
    return requests.get(sim_server.url + path, timeout=10, **kwargs)


def test_contact_and_conversation_pages_show_what_an_agent_would_see(sim, sim_server):
    contact = sim.add_contact(ACCOUNT, name="Gabriela <Ruiz>", phone_number="+525599990000",
                              custom_attributes={"client_id": "cli_7", "next_appointment": None})
    display_id, _ = sim.add_incoming_message(ACCOUNT, WHATSAPP_INBOX, contact, "¿Tienen lugar el sábado?")
    contact_page = page(sim_server, f"/app/accounts/{ACCOUNT}/contacts/{contact}")
    assert contact_page.status_code == 200
    assert "Gabriela &lt;Ruiz&gt;" in contact_page.text and "+525599990000" in contact_page.text
    assert "cli_7" in contact_page.text and "Simulador de Chatwoot" in contact_page.text
    assert f'href="/app/accounts/{ACCOUNT}/conversations/{display_id}"' in contact_page.text
    conversation = page(sim_server, f"/app/accounts/{ACCOUNT}/conversations/{display_id}")
    assert conversation.status_code == 200
    assert "¿Tienen lugar el sábado?" in conversation.text and "WhatsApp Ventas" in conversation.text
    assert "incoming" in conversation.text and f"/app/accounts/{ACCOUNT}/contacts/{contact}" in conversation.text


def test_unknown_records_and_other_accounts_are_404(sim, sim_server):
    contact = sim.add_contact(ACCOUNT, name="Ana", phone_number="+525512345678")
    assert page(sim_server, f"/app/accounts/{ACCOUNT}/contacts/999").status_code == 404
    assert page(sim_server, f"/app/accounts/2/contacts/{contact}").status_code == 404
    assert page(sim_server, f"/app/accounts/{ACCOUNT}/conversations/1").status_code == 404


def test_home_lists_the_token_webhooks_and_offers_the_form(sim, sim_server):
    sim.add_webhook(ACCOUNT, "http://127.0.0.1:5150/api/webhooks/chatwoot", secret="x")
    home = page(sim_server, "/")
    assert home.status_code == 200
    assert ADMIN in home.text and "http://127.0.0.1:5150/api/webhooks/chatwoot" in home.text
    assert 'action="/simulator/incoming"' in home.text and f'value="{WHATSAPP_INBOX}"' in home.text


def test_the_form_makes_the_customer_write_then_shows_the_conversation(sim, sim_server, receiver):
    sim.add_webhook(ACCOUNT, receiver.url, secret="x")
    form = {"account_id": ACCOUNT, "inbox_id": WHATSAPP_INBOX, "phone": "+52 55 1234 5678", "name": "Juan",
            "text": "Confirmo"}
    sent = requests.post(sim_server.url + "/simulator/incoming", data=form, timeout=10, allow_redirects=False,
                         headers={"Origin": sim_server.url})
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/app/accounts/{ACCOUNT}/conversations/1")
    assert "message_created" in receiver.events()
    shown = page(sim_server, sent.headers["Location"])
    assert "Confirmo" in shown.text and "Juan" in shown.text


def test_the_form_refuses_other_sites_and_explains_a_bad_number(sim, sim_server):
    form = {"account_id": ACCOUNT, "phone": "+525512345678", "text": "Hola"}
    forged = requests.post(sim_server.url + "/simulator/incoming", data=form, timeout=10,
                           headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    bad = requests.post(sim_server.url + "/simulator/incoming", data={**form, "phone": "12"}, timeout=10)
    assert bad.status_code == 422 and "international phone number" in bad.text
    assert sim.conversations(ACCOUNT) == []
