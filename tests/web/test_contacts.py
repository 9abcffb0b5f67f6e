"""Contacts pages: linked clients (open in Chatwoot, unlink) and the unmatched queue (link, create, dismiss)."""

import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AuditLog, ChatwootInteraction, Client, ContactTask, UnmatchedContact, utcnow
from app.services.contacts.linking import ATTRIBUTE_KEYS, link_client
from tests.fixtures.notifications import drain
from tests.fixtures.simulator import ACCOUNT_ID
from tests.fixtures.webhooks import event_count, example, wired_hooked
from tests.fixtures.webhooks import post as post_webhook

__all__ = ["wired_hooked"]  # fixture used below

T0 = datetime(2025, 6, 10, 18, 0, tzinfo=UTC)


def add_client(tenant, first="Ana", last="García", phone="5512345678", **kw):
    client = Client(tenant_id=tenant.id, first_name=first, last_name=last, phone=phone, **kw)
    db.session.add(client)
    db.session.commit()
    return client


def add_unmatched(tenant, contact_id="77", n=1, at=T0, **fields):
    rows = []
    for i in range(n):
        values = {"name": "Pedro Pérez Soto", "phone": "+52 55 9999 0000", "reason": "no_match",
                  "message_count": 3, "last_message_preview": "¿Tienen cita el sábado?", **fields}
        rows.append(UnmatchedContact(tenant_id=tenant.id, chatwoot_contact_id=str(int(contact_id) + i),
                                     last_seen_at=at + timedelta(minutes=i), **values))
    db.session.add_all(rows)
    db.session.commit()
    return rows[0] if n == 1 else rows


def audits(action):
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action)).all()


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def contact_ids(html):
    return re.findall(r'<tr id="unmatched-([a-z0-9]+)"', html)


# --- linked ----------------------------------------------------------------------------------------------


def test_linked_page_lists_clients_with_chatwoot_link_last_interaction_and_who_linked(wired_tenant, admin, chatwoot):
    ana = add_client(wired_tenant)
    add_client(wired_tenant, "Luis", "Garza", "3387654321")  # not linked: not listed
    link_client(None, ana, "9", actor="admin@example.com")
    db.session.add(ChatwootInteraction(tenant_id=wired_tenant.id, client_id=ana.id, event="message_created",
                                       created_at=T0))
    db.session.commit()
    page = admin.get("/t/uno/contacts/")
    assert page.status_code == 200
    assert "Ana García" in page.text and "Luis Garza" not in page.text
    assert f'href="{chatwoot.url}/app/accounts/{ACCOUNT_ID}/contacts/9"' in page.text
    assert "por admin@example.com" in page.text
    assert "10 jun 2025" in page.text  # the last interaction, in Mexico City time
    assert f'action="/t/uno/contacts/{ana.id}/unlink"' in page.text and "data-confirm=" in page.text


def test_linked_page_without_links_explains_how_links_happen(tenant, admin):
    page = admin.get("/t/uno/contacts/")
    assert "Aún no hay clientes vinculados" in page.text and "/t/uno/contacts/unmatched" in page.text


def test_linked_pages_follow_the_cursor(tenant, admin):
    now = utcnow()
    db.session.add_all([Client(tenant_id=tenant.id, first_name=f"C{i:02d}", phone=f"55100000{i:02d}",
                               chatwoot_contact_id=str(i), chatwoot_linked_at=now - timedelta(minutes=i))
                        for i in range(60)])
    db.session.commit()
    first = admin.get("/t/uno/contacts/")
    names = re.findall(r">(C\d\d)</a>", first.text)
    assert names == [f"C{i:02d}" for i in range(50)]
    next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = admin.get(next_url, headers={"HX-Request": "true"})
    assert "<html" not in second.text and second.text.lstrip().startswith('<section id="linked-list"')
    assert re.findall(r">(C\d\d)</a>", second.text) == [f"C{i:02d}" for i in range(50, 60)]


def follow(browser, response):
    """The page a redirect leads to (the task page after a link, unlink or create)."""
    assert response.status_code == 302, response.status_code
    return browser.get(response.headers["Location"])


def test_unlink_answers_at_once_and_the_worker_clears_our_attributes(wired_tenant, admin, chatwoot):
    ana = add_client(wired_tenant)
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, name="Ana", phone_number="+525512345678",
                                          custom_attributes={"client_id": ana.id, "client_name": "Ana García",
                                                             "favorite_color": "azul"})
    link_client(None, ana, str(contact_id), actor="admin@example.com")
    db.session.commit()
    response = admin.post(f"/t/uno/contacts/{ana.id}/unlink")
    assert "/t/uno/contacts/tasks/" in response.headers["Location"]
    assert fresh(Client, ana.id).chatwoot_contact_id is None
    assert chatwoot.sim.count("POST", "destroy_custom_attributes") == 0  # the request did not call Chatwoot
    pending = follow(admin, response)
    assert "quedó desvinculado del contacto" in pending.text and 'data-status="pending"' in pending.text
    assert 'hx-trigger="every 1s"' in pending.text and "Actualizar" in pending.text  # polls; a link without JS
    drain()
    attributes = chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]
    assert attributes == {"favorite_color": "azul"} and not set(ATTRIBUTE_KEYS) & set(attributes)
    [unlink] = audits("client.unlink")
    assert (unlink.actor, unlink.object_id, unlink.details["contact_id"]) == ("admin@example.com", ana.id,
                                                                              str(contact_id))
    done = admin.get(response.headers["Location"], headers={"HX-Request": "true"})
    assert "<html" not in done.text and 'data-status="done"' in done.text and "hx-trigger" not in done.text
    assert f"Nuestros atributos se borraron del contacto #{contact_id}" in done.text


def test_a_failed_clear_is_a_visible_warning_that_can_be_retried(wired_tenant, admin, chatwoot):
    ana = add_client(wired_tenant)
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, name="Ana", custom_attributes={"client_id": ana.id})
    link_client(None, ana, str(contact_id), actor="admin@example.com")
    db.session.commit()
    chatwoot.sim.fail_next(1, status=401, body={"error": "Invalid Access Token"})
    response = admin.post(f"/t/uno/contacts/{ana.id}/unlink")
    assert fresh(Client, ana.id).chatwoot_contact_id is None
    drain()
    page = follow(admin, response)
    assert 'data-status="failed"' in page.text and "Invalid Access Token" in page.text
    assert f"nuestros atributos siguen en el contacto #{contact_id}" in page.text
    [left] = audits("client.unlink_attributes_left")
    assert left.details == {"contact_id": str(contact_id), "error": "Invalid Access Token"}
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"] == {"client_id": ana.id}
    task_url = response.headers["Location"]
    assert admin.post(task_url + "/retry").status_code == 302
    drain()
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"] == {}
    assert 'data-status="done"' in admin.get(task_url).text


def test_unlink_without_chatwoot_settings_unlinks_and_says_the_attributes_stay(tenant, admin):
    ana = add_client(tenant, chatwoot_contact_id="5", chatwoot_linked_at=T0)
    response = admin.post(f"/t/uno/contacts/{ana.id}/unlink")
    assert fresh(Client, ana.id).chatwoot_contact_id is None
    drain()
    page = follow(admin, response)
    assert 'data-status="failed"' in page.text and "missing" in page.text
    assert len(audits("client.unlink_attributes_left")) == 1


def test_unlink_a_contact_deleted_in_chatwoot_just_unlinks(wired_tenant, admin):
    ana = add_client(wired_tenant, chatwoot_contact_id="424242", chatwoot_linked_at=T0)
    response = admin.post(f"/t/uno/contacts/{ana.id}/unlink")
    drain()
    assert fresh(Client, ana.id).chatwoot_contact_id is None
    assert 'data-status="done"' in follow(admin, response).text
    assert audits("client.unlink_attributes_left") == [] and len(audits("client.unlink")) == 1


def test_contact_tasks_of_another_tenant_are_404(tenant, other_tenant, staff, admin):
    theirs = add_client(other_tenant, "Eva", "Ríos", "5599990000", chatwoot_contact_id="3", chatwoot_linked_at=T0)
    admin.post(f"/t/dos/contacts/{theirs.id}/unlink")
    task = db.session.scalar(select(ContactTask))
    assert staff.get(f"/t/uno/contacts/tasks/{task.id}").status_code == 404
    assert staff.post(f"/t/uno/contacts/tasks/{task.id}/retry").status_code == 404


# --- unmatched queue -------------------------------------------------------------------------------------


def test_unmatched_queue_shows_reason_candidates_last_message_and_count(tenant, admin):
    ana = add_client(tenant)
    luis = add_client(tenant, "Luis", "Garza", "3387654321")
    row = add_unmatched(tenant, reason="ambiguous", candidate_client_ids=[ana.id, luis.id])
    page = admin.get("/t/uno/contacts/unmatched")
    assert page.status_code == 200
    assert contact_ids(page.text) == [row.id]
    assert "Varios clientes comparten ese teléfono" in page.text
    assert "Ana García" in page.text and "Luis Garza" in page.text
    assert "¿Tienen cita el sábado?" in page.text and "<td>3</td>" in page.text
    assert f"/t/uno/contacts/unmatched/{row.id}/link" in page.text
    assert f"/t/uno/contacts/unmatched/{row.id}/create" in page.text
    assert re.search(rf'action="/t/uno/contacts/unmatched/{row.id}/dismiss"\s+data-confirm="', page.text)


def test_unmatched_filters_and_empty_state(tenant, admin):
    waiting = add_unmatched(tenant, "10")
    dismissed = add_unmatched(tenant, "20", status="dismissed")
    assert contact_ids(admin.get("/t/uno/contacts/unmatched").text) == [waiting.id]
    assert contact_ids(admin.get("/t/uno/contacts/unmatched?status=dismissed").text) == [dismissed.id]
    assert contact_ids(admin.get("/t/uno/contacts/unmatched?status=linked").text) == []
    assert contact_ids(admin.get("/t/uno/contacts/unmatched?status=nonsense").text) == [waiting.id]
    db.session.delete(fresh(UnmatchedContact, waiting.id))
    db.session.commit()
    assert "No hay contactos esperando" in admin.get("/t/uno/contacts/unmatched").text


def test_unmatched_pages_follow_the_cursor_and_htmx_gets_the_partial(tenant, admin):
    rows = add_unmatched(tenant, "100", n=55)
    first = admin.get("/t/uno/contacts/unmatched")
    assert contact_ids(first.text) == [r.id for r in reversed(rows)][:50]
    next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert "before=" in next_url
    second = admin.get(next_url, headers={"HX-Request": "true"})
    assert "<html" not in second.text and second.text.lstrip().startswith('<section id="unmatched-list"')
    assert contact_ids(second.text) == [r.id for r in reversed(rows)][50:]


def test_search_as_you_type_returns_a_small_result_list(tenant, admin):
    add_client(tenant)
    add_client(tenant, "Luis", "Garza", "3387654321")
    row = add_unmatched(tenant)
    full = admin.get(f"/t/uno/contacts/unmatched/{row.id}/link?q=garc")
    assert full.status_code == 200 and "<html" in full.text
    assert "Ana García" in full.text and "Luis Garza" not in full.text
    assert 'hx-trigger="input changed delay:300ms, search"' in full.text
    partial = admin.get(f"/t/uno/contacts/unmatched/{row.id}/link?q=33 8765", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and partial.text.lstrip().startswith('<section id="search-results"')
    assert "Luis Garza" in partial.text and "Ana García" not in partial.text
    none = admin.get(f"/t/uno/contacts/unmatched/{row.id}/link?q=zzz", headers={"HX-Request": "true"})
    assert "Ningún cliente coincide" in none.text


def test_link_stores_the_link_at_once_and_the_worker_pushes_the_attributes(wired_tenant, admin, chatwoot):
    ana = add_client(wired_tenant)
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, name="Pedro", phone_number="+525599990000")
    row = add_unmatched(wired_tenant, str(contact_id))
    response = admin.post(f"/t/uno/contacts/unmatched/{row.id}/link", data={"client_id": ana.id})
    assert "/t/uno/contacts/tasks/" in response.headers["Location"]
    assert fresh(Client, ana.id).chatwoot_contact_id == str(contact_id)
    row = fresh(UnmatchedContact, row.id)
    assert (row.status, row.resolved_client_id) == ("linked", ana.id)
    assert [a.actor for a in audits("client.link")] == ["admin@example.com"]
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"] == {}  # not in the request
    assert f"Contacto #{contact_id} vinculado con Ana García." in follow(admin, response).text
    drain()
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]["client_id"] == ana.id
    assert fresh(Client, ana.id).chatwoot_attributes_hash  # the next sync knows the contact is up to date
    assert f"El contacto #{contact_id} tiene los atributos del cliente." in admin.get(response.headers["Location"]).text
    linked = admin.get("/t/uno/contacts/unmatched?status=linked")
    assert contact_ids(linked.text) == [row.id] and "admin@example.com" in linked.text


def test_a_link_answers_while_chatwoot_hangs_and_a_webhook_is_stored_meanwhile(app, wired_hooked, admin, chatwoot):
    ana = add_client(wired_hooked)
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, name="Pedro", phone_number="+525599990000")
    row = add_unmatched(wired_hooked, str(contact_id))
    hold = chatwoot.sim.hold(f"/contacts/{contact_id}", method="PUT")
    started = time.monotonic()
    response = admin.post(f"/t/uno/contacts/unmatched/{row.id}/link", data={"client_id": ana.id})
    assert response.status_code == 302 and time.monotonic() - started < 2
    assert fresh(Client, ana.id).chatwoot_contact_id == str(contact_id)
    worker = threading.Thread(target=drain)
    worker.start()
    try:
        assert hold.wait_arrived(10)  # the worker is inside the Chatwoot call now
        assert 'data-status="pending"' in admin.get(response.headers["Location"]).text
        answer = post_webhook(app.test_client(), example("message_created_incoming.json"))
        assert answer.status_code == 200 and answer.json["status"] == "accepted"
        assert event_count() == 1
    finally:
        hold.release()
        worker.join(30)
    assert not worker.is_alive()
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]["client_id"] == ana.id
    assert 'data-status="done"' in admin.get(response.headers["Location"]).text


def test_moving_a_clients_link_asks_first_then_clears_the_old_contact(wired_tenant, admin, chatwoot):
    ana = add_client(wired_tenant)
    old = chatwoot.sim.add_contact(ACCOUNT_ID, name="Ana vieja", phone_number="+525512345678",
                                   custom_attributes={"client_id": ana.id, "favorite_color": "azul"})
    link_client(None, ana, str(old), actor="admin@example.com")
    db.session.commit()
    new = chatwoot.sim.add_contact(ACCOUNT_ID, name="Ana", phone_number="+525599990000")
    row = add_unmatched(wired_tenant, str(new))
    ask = admin.post(f"/t/uno/contacts/unmatched/{row.id}/link", data={"client_id": ana.id})
    assert ask.status_code == 409 and "¿Mover el vínculo?" in ask.text
    assert f"Ana García ya está vinculado al contacto #{old}" in ask.text
    assert 'name="confirm_move" value="1"' in ask.text
    assert fresh(Client, ana.id).chatwoot_contact_id == str(old) and fresh(UnmatchedContact, row.id).status == "waiting"
    response = admin.post(f"/t/uno/contacts/unmatched/{row.id}/link", data={"client_id": ana.id, "confirm_move": "1"})
    assert fresh(Client, ana.id).chatwoot_contact_id == str(new)
    page = follow(admin, response)
    assert f"Ana García ya no está vinculado al contacto #{old}; borramos nuestros atributos" in page.text
    drain()
    assert chatwoot.sim.contact(ACCOUNT_ID, old)["custom_attributes"] == {"favorite_color": "azul"}
    assert chatwoot.sim.contact(ACCOUNT_ID, new)["custom_attributes"]["client_id"] == ana.id
    done = admin.get(response.headers["Location"]).text
    assert f"Nuestros atributos se borraron del contacto #{old}" in done and 'data-status="done"' in done


def test_taking_a_contact_from_another_client_asks_first_and_unlinks_that_client(wired_tenant, admin, chatwoot):
    ana = add_client(wired_tenant)
    luis = add_client(wired_tenant, "Luis", "Garza", "3387654321")
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, name="Pedro", phone_number="+525599990000")
    link_client(None, luis, str(contact_id), actor="worker")
    db.session.commit()
    row = add_unmatched(wired_tenant, str(contact_id))
    ask = admin.post(f"/t/uno/contacts/unmatched/{row.id}/link", data={"client_id": ana.id})
    assert ask.status_code == 409
    assert f"El contacto #{contact_id} ya está vinculado a Luis Garza" in ask.text
    response = admin.post(f"/t/uno/contacts/unmatched/{row.id}/link", data={"client_id": ana.id, "confirm_move": "1"})
    assert fresh(Client, ana.id).chatwoot_contact_id == str(contact_id)
    assert fresh(Client, luis.id).chatwoot_contact_id is None
    assert "Luis Garza quedó sin vincular." in follow(admin, response).text
    drain()
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]["client_id"] == ana.id


def test_the_database_holds_one_contact_one_client(tenant):
    add_client(tenant, chatwoot_contact_id="12")
    add_client(tenant, "Luis", "Garza", "3387654321")
    with pytest.raises(IntegrityError):
        db.session.execute(update(Client).where(Client.first_name == "Luis").values(chatwoot_contact_id="12"))
    db.session.rollback()


def test_one_contact_id_in_two_salons_is_two_links(tenant, other_tenant):
    add_client(tenant, chatwoot_contact_id="12")
    add_client(other_tenant, "Eva", "Ríos", "5599990000", chatwoot_contact_id="12")
    assert db.session.scalar(select(func.count()).where(Client.chatwoot_contact_id == "12")) == 2


def test_link_without_chatwoot_settings_says_why_and_changes_nothing(tenant, admin):
    ana = add_client(tenant)
    row = add_unmatched(tenant)
    response = admin.post(f"/t/uno/contacts/unmatched/{row.id}/link", data={"client_id": ana.id})
    assert response.status_code == 302
    assert fresh(UnmatchedContact, row.id).status == "waiting"
    assert fresh(Client, ana.id).chatwoot_contact_id is None
    page = admin.get(response.headers["Location"])
    assert "No se pudo vincular" in page.text and "Chatwoot no está configurado" in page.text


def test_create_client_form_is_prefilled_from_the_contact(tenant, admin):
    row = add_unmatched(tenant, email="pedro@example.com")
    page = admin.get(f"/t/uno/contacts/unmatched/{row.id}/create")
    assert page.status_code == 200
    for value in ('value="Pedro"', 'value="Pérez Soto"', 'value="+52 55 9999 0000"', 'value="pedro@example.com"'):
        assert value in page.text
    assert '<label for="first_name">Nombre</label>' in page.text


def test_create_client_invalid_input_gives_field_messages_and_keeps_what_was_typed(tenant, admin):
    row = add_unmatched(tenant)
    page = admin.post(f"/t/uno/contacts/unmatched/{row.id}/create",
                      data={"first_name": "", "last_name": "Pérez Soto", "phone": "12", "email": "pedro@"})
    assert page.status_code == 422
    assert "Escribe el nombre." in page.text and "No es un número de teléfono válido" in page.text
    assert "Escribe un correo válido." in page.text
    assert 'value="Pérez Soto"' in page.text and 'value="12"' in page.text and 'value="pedro@"' in page.text
    assert 'aria-describedby="phone-error"' in page.text
    assert db.session.scalar(select(Client).where(Client.last_name == "Pérez Soto")) is None


def test_create_client_refuses_a_phone_that_already_has_a_client(tenant, admin):
    add_client(tenant, phone="55 9999 0000")
    row = add_unmatched(tenant)
    page = admin.post(f"/t/uno/contacts/unmatched/{row.id}/create",
                      data={"first_name": "Pedro", "last_name": "", "phone": "+52 1 55 9999 0000", "email": ""})
    assert page.status_code == 422
    assert "Ese teléfono ya es de Ana García: vincula el contacto con ese cliente." in page.text


def test_create_client_creates_links_and_resolves(wired_tenant, admin, chatwoot):
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, name="Pedro", phone_number="+525599990000")
    row = add_unmatched(wired_tenant, str(contact_id))
    response = admin.post(f"/t/uno/contacts/unmatched/{row.id}/create",
                          data={"first_name": "Pedro", "last_name": "Pérez", "phone": "55 9999 0000",
                                "email": "pedro@example.com"})
    assert response.status_code == 302
    client = db.session.scalar(select(Client).where(Client.first_name == "Pedro"))
    assert (client.last_name, client.phone_e164, client.email) == ("Pérez", "+525599990000", "pedro@example.com")
    assert client.chatwoot_contact_id == str(contact_id)
    row = fresh(UnmatchedContact, row.id)
    assert (row.status, row.resolved_client_id) == ("created", client.id)
    drain()
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]["client_id"] == client.id
    page = follow(admin, response).text
    assert "Cliente Pedro Pérez creado." in page and 'data-status="done"' in page


def test_create_client_with_a_failed_push_shows_a_warning_not_success(wired_tenant, admin, chatwoot):
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, name="Pedro", phone_number="+525599990000")
    row = add_unmatched(wired_tenant, str(contact_id))
    chatwoot.sim.fail_next(1, status=422, body={"message": "Email Invalid email", "attributes": ["email"]},
                           path_contains=f"/contacts/{contact_id}")
    response = admin.post(f"/t/uno/contacts/unmatched/{row.id}/create",
                          data={"first_name": "Pedro", "last_name": "Pérez", "phone": "55 9999 0000", "email": ""})
    drain()
    page = follow(admin, response).text
    assert "creado y vinculado" not in page
    assert 'data-status="failed"' in page and "Atención: Chatwoot no quedó al día." in page
    assert "Chatwoot no recibió los atributos del cliente" in page and "Email Invalid email" in page
    assert len(audits("client.push_failed")) == 1
    assert fresh(Client, db.session.scalar(select(Client.id).where(Client.first_name == "Pedro"))) \
        .chatwoot_attributes_hash is None  # the next message or sync pushes again


def test_create_client_for_a_contact_another_client_holds_is_refused(wired_tenant, admin, chatwoot):
    luis = add_client(wired_tenant, "Luis", "Garza", "3387654321", chatwoot_contact_id="77", chatwoot_linked_at=T0)
    row = add_unmatched(wired_tenant, "77")
    page = admin.post(f"/t/uno/contacts/unmatched/{row.id}/create",
                      data={"first_name": "Pedro", "last_name": "", "phone": "55 9999 0000", "email": ""})
    assert page.status_code == 422 and "Luis Garza" in page.text
    assert db.session.scalar(select(Client).where(Client.first_name == "Pedro")) is None
    assert fresh(Client, luis.id).chatwoot_contact_id == "77"


def test_dismiss_takes_the_contact_off_the_queue(tenant, admin, admin_user):
    row = add_unmatched(tenant)
    response = admin.post(f"/t/uno/contacts/unmatched/{row.id}/dismiss")
    assert response.status_code == 302
    row = fresh(UnmatchedContact, row.id)
    assert (row.status, row.resolved_by_id) == ("dismissed", admin_user.id)
    queue = admin.get("/t/uno/contacts/unmatched").text
    assert contact_ids(queue) == [] and "Contacto descartado." in queue
    assert contact_ids(admin.get("/t/uno/contacts/unmatched?status=dismissed").text) == [row.id]
    assert len(audits("unmatched.dismissed")) == 1


def test_actions_on_a_resolved_contact_are_refused(tenant, admin):
    row = add_unmatched(tenant, status="dismissed")
    admin.post(f"/t/uno/contacts/unmatched/{row.id}/dismiss")
    ana = add_client(tenant)
    response = admin.post(f"/t/uno/contacts/unmatched/{row.id}/link", data={"client_id": ana.id})
    assert "No se pudo vincular" in admin.get(response.headers["Location"]).text
    assert fresh(Client, ana.id).chatwoot_contact_id is None


# --- tenancy and login -----------------------------------------------------------------------------------


def test_another_tenants_pages_and_objects_are_404(tenant, other_tenant, staff):
    theirs = add_unmatched(other_tenant)
    their_client = add_client(other_tenant, "Eva", "Ríos", "5599990000", chatwoot_contact_id="3",
                              chatwoot_linked_at=T0)
    mine = add_unmatched(tenant, "900")
    assert staff.get("/t/dos/contacts/").status_code == 404
    assert staff.get("/t/dos/contacts/unmatched").status_code == 404
    assert staff.get(f"/t/uno/contacts/unmatched/{theirs.id}/link").status_code == 404
    assert staff.get(f"/t/uno/contacts/unmatched/{theirs.id}/create").status_code == 404
    assert staff.post(f"/t/uno/contacts/unmatched/{theirs.id}/create", data={"first_name": "X"}).status_code == 404
    assert staff.post(f"/t/uno/contacts/unmatched/{theirs.id}/dismiss").status_code == 404
    assert staff.post(f"/t/uno/contacts/unmatched/{mine.id}/link",
                      data={"client_id": their_client.id}).status_code == 404
    assert staff.post(f"/t/uno/contacts/{their_client.id}/unlink").status_code == 404
    assert fresh(UnmatchedContact, theirs.id).status == "waiting"
    assert fresh(Client, their_client.id).chatwoot_contact_id == "3"
    assert staff.get("/t/uno/contacts/").status_code == 200
    assert "Eva Ríos" not in staff.get(f"/t/uno/contacts/unmatched/{mine.id}/link?q=eva").text


@pytest.mark.parametrize("url", ["/t/uno/contacts/", "/t/uno/contacts/unmatched", "/t/uno/contacts/unmatched/x/link"])
def test_logged_out_is_sent_to_login(app, tenant, url):
    response = app.test_client().get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
