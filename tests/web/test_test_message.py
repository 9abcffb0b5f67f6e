"""Test message: find a client as you type (or type a phone), write or pick a text, preview, send, see the link."""

import re
import time
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, AuditLog, Client, Notification, utcnow
from app.services.notification_service import notification_service
from tests.fixtures.notifications import drain
from tests.fixtures.simulator import ACCOUNT_ID

HX = {"HX-Request": "true"}


def add_client(tenant, first="Ana", last="García", phone="55 1234 5678"):
    client = Client(tenant_id=tenant.id, first_name=first, last_name=last, phone=phone)
    db.session.add(client)
    db.session.commit()
    return client


def test_page_and_search_as_you_type(admin, tenant):
    client = add_client(tenant)
    add_client(tenant, "Beto", "Ruiz", "55 9999 0000")
    page = admin.get("/t/uno/test-message/")
    assert page.status_code == 200 and 'hx-get="/t/uno/test-message/clients"' in page.text
    partial = admin.get("/t/uno/test-message/clients?q=garc", headers=HX).text
    assert "<html" not in partial and f'value="{client.id}"' in partial and "Beto" not in partial
    by_phone = admin.get("/t/uno/test-message/clients?q=5512345678", headers=HX).text
    assert f'value="{client.id}"' in by_phone
    nothing = admin.get("/t/uno/test-message/clients?q=zzz", headers=HX).text
    assert "Ningún cliente coincide con «zzz»" in nothing
    no_js = admin.get("/t/uno/test-message/?q=Ana")  # the plain GET form, without JavaScript
    assert "<html" in no_js.text and f'value="{client.id}"' in no_js.text


def sent_page(admin, response, **kw):
    """The status page a send redirects to (303: a reload never sends twice)."""
    assert response.status_code == 303, response.status_code
    return admin.get(response.headers["Location"], **kw)


def test_send_to_a_typed_phone_is_queued_then_links_to_the_conversation(admin, admin_user, wired_tenant, chatwoot):
    response = admin.post("/t/uno/test-message/send", {"phone": "55 4444 3333", "message": "Prueba desde el panel"})
    assert chatwoot.sim.conversations(ACCOUNT_ID) == []  # the request never calls Chatwoot
    pending = sent_page(admin, response)
    assert "Enviando a 55 4444 3333" in pending.text and 'data-status="pending"' in pending.text
    assert 'hx-trigger="every 1s"' in pending.text and 'value="55 4444 3333"' in pending.text
    row = db.session.scalar(select(Notification))
    assert (row.type, row.channel, row.client_id, row.to_phone) == ("TEST", "CHATWOOT", None, "55 4444 3333")
    drain()
    [conversation] = chatwoot.sim.conversations(ACCOUNT_ID)
    [message] = chatwoot.sim.messages(ACCOUNT_ID, conversation["id"])
    assert message["content"] == "Prueba desde el panel"
    done = sent_page(admin, response, headers=HX)
    assert "<html" not in done.text and "hx-trigger" not in done.text
    assert "Mensaje enviado a 55 4444 3333" in done.text
    link = f'{chatwoot.url}/app/accounts/{ACCOUNT_ID}/conversations/{conversation["id"]}'
    assert f'href="{link}"' in done.text
    line = db.session.scalar(select(AuditLog).where(AuditLog.action == "message.test"))
    assert line.actor == admin_user.email and line.details["to"] == "55 4444 3333"
    assert db.session.scalar(select(Client)) is None  # a typed number creates no client and links nothing
    listed = admin.get("/t/uno/notifications/?type=TEST").text
    assert f'id="notification-{row.id}"' in listed and "Prueba" in listed and "55 4444 3333" in listed


def test_a_test_message_while_chatwoot_rate_limits_returns_at_once_pending(admin, wired_tenant, chatwoot):
    chatwoot.sim.rate_limit_next(50)
    started = time.monotonic()
    response = admin.post("/t/uno/test-message/send", {"phone": "55 4444 3333", "message": "Hola"})
    assert time.monotonic() - started < 2
    assert 'data-status="pending"' in sent_page(admin, response).text
    drain()  # the worker meets the 429 and schedules the next attempt after the minute window
    row = db.session.scalar(select(Notification))
    db.session.refresh(row)
    assert row.status == "pending" and "429" in row.last_error and row.next_attempt_at > utcnow()
    page = sent_page(admin, response).text
    assert 'data-status="pending"' in page and "se reintenta a las" in page
    chatwoot.sim.faults.reset()
    row.next_attempt_at = utcnow()
    db.session.commit()
    notification_service.deliver(row.id)
    assert "Mensaje enviado a 55 4444 3333" in sent_page(admin, response).text


def test_a_typed_number_that_is_a_clients_goes_to_that_client(admin, wired_tenant, chatwoot):
    client = add_client(wired_tenant)
    response = admin.post("/t/uno/test-message/send", {"phone": "+52 1 55 1234 5678", "message": "Hola"})
    drain()
    row = db.session.scalar(select(Notification))
    assert (row.client_id, row.to_phone, row.status) == (client.id, None, "sent")
    assert "Mensaje enviado a 55 1234 5678" in sent_page(admin, response).text
    db.session.expire_all()
    assert db.session.get(Client, client.id).chatwoot_contact_id == row.chatwoot_contact_id


def test_template_uses_the_chosen_clients_data(admin, wired_tenant, chatwoot):
    client = add_client(wired_tenant)
    db.session.add(Appointment(tenant_id=wired_tenant.id, client_id=client.id, starts_at=utcnow() + timedelta(days=2),
                               service_name="Corte"))
    db.session.commit()
    data = {"client_id": client.id, "template": "APPOINTMENT_REMINDER", "message": ""}
    preview = admin.post("/t/uno/test-message/preview", data, headers=HX).text
    assert "<html" not in preview and "Hola Ana García, te recordamos tu cita en Salón Uno" in preview
    response = admin.post("/t/uno/test-message/send", data)
    drain()
    assert "Mensaje enviado a 55 1234 5678" in sent_page(admin, response).text
    [conversation] = chatwoot.sim.conversations(ACCOUNT_ID)
    [message] = chatwoot.sim.messages(ACCOUNT_ID, conversation["id"])
    assert message["content"].startswith("Hola Ana García, te recordamos tu cita en Salón Uno el ")


def test_a_template_needs_the_clients_data_never_samples(admin, wired_tenant, chatwoot):
    response = admin.post("/t/uno/test-message/send", {"phone": "55 4444 3333", "template": "APPOINTMENT_REMINDER"})
    assert response.status_code == 422 and "Falta el valor de: clientName" in response.text
    assert chatwoot.sim.conversations(ACCOUNT_ID) == []
    text = admin.post("/t/uno/test-message/preview", {"message": "Hola {{clientName}}"}).text
    assert "<html" in text and "Falta el valor de: clientName" in text


def test_validation_keeps_what_was_typed(admin, wired_tenant, chatwoot):
    response = admin.post("/t/uno/test-message/send", {"phone": "12", "message": "Hola a todos"})
    assert response.status_code == 422 and "No es un número de teléfono válido" in response.text
    assert 'value="12"' in response.text and "Hola a todos" in response.text
    empty = admin.post("/t/uno/test-message/send", {"phone": "", "message": ""})
    assert "Elige un cliente o escribe un número" in empty.text and "Escribe el mensaje o elige un texto" in empty.text
    assert chatwoot.sim.conversations(ACCOUNT_ID) == []


def test_a_chatwoot_failure_is_shown_not_hidden(admin, wired_tenant, chatwoot):
    chatwoot.sim.fail_next(1, status=401, body={"error": "Invalid Access Token"})
    response = admin.post("/t/uno/test-message/send", {"phone": "55 4444 3333", "message": "Hola"})
    drain()
    page = sent_page(admin, response)
    assert page.status_code == 200 and "No se envió" in page.text and 'data-status="failed"' in page.text
    assert re.search(r'class="check-problem">[^<]*Invalid Access Token', page.text)


def test_without_chatwoot_the_message_is_skipped_with_the_reason(admin, tenant):
    response = admin.post("/t/uno/test-message/send", {"phone": "55 4444 3333", "message": "Hola"})
    drain()
    page = sent_page(admin, response)
    assert "No se envió" in page.text and 'data-status="skipped"' in page.text
    assert re.search(r'class="check-problem">[^<]*apagadas', page.text)


def test_another_tenants_client_is_404(admin, staff, tenant, other_tenant):
    theirs = add_client(other_tenant, "Otra", "Persona", "55 2222 1111")
    assert staff.post("/t/uno/test-message/send", {"client_id": theirs.id, "message": "hola"}).status_code == 404
    sent = admin.post("/t/dos/test-message/send", {"phone": "55 2222 1111", "message": "hola"})
    assert staff.get(sent.headers["Location"].replace("/t/dos/", "/t/uno/")).status_code == 404
    page = staff.get(f"/t/uno/test-message/?client_id={theirs.id}").text
    assert f'value="{theirs.id}"' not in page and "Otra Persona" not in page


def test_access_matrix(app, admin, staff, tenant, other_tenant):
    assert admin.get("/t/dos/test-message/").status_code == 200
    assert staff.get("/t/uno/test-message/").status_code == 200
    for url in ("/t/dos/test-message/", "/t/dos/test-message/clients?q=a"):
        assert staff.get(url).status_code == 404
    for url in ("/t/dos/test-message/send", "/t/dos/test-message/preview"):
        assert staff.post(url, {}).status_code == 404
    response = app.test_client().get("/t/uno/test-message/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
