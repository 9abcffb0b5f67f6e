"""A new salon's first day, in a real browser: log in, configure Chatwoot and test the connection, receive a
webhook and link the unknown contact by hand, sync and watch the bar, send a test message, find both in the
interaction log, switch to English."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Client, UnmatchedContact
from tests.fixtures.simulator import ACCOUNT_ID, ADMIN_TOKEN

pytestmark = pytest.mark.browser
SYNCED_CLIENTS = 120  # more than two sync batches, so the bar has somewhere to go


def wait_until(check, timeout: float = 20.0):
    """Poll `check` (run in an app context) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {check.__name__}")


def in_app(live, func):
    with live.app.app_context():
        return func()


def add_clients(live) -> None:
    def add():
        tenant_id = db.session.scalar(select(Client.tenant_id).limit(1)) or _tenant_id()
        db.session.add(Client(tenant_id=tenant_id, first_name="Laura", last_name="Méndez", phone="55 1111 2222"))
        db.session.add_all([Client(tenant_id=tenant_id, first_name=f"Cliente{i:03d}", last_name="Prueba",
                                   phone=f"55 3000 {i:04d}") for i in range(SYNCED_CLIENTS - 1)])
        db.session.commit()
    in_app(live, add)


def _tenant_id() -> str:
    from app.models import Tenant

    return db.session.scalar(select(Tenant.id).where(Tenant.slug == "uno"))


def log_in(page: Page, live) -> None:
    page.goto(live.url + "/login")
    page.get_by_label("Correo electrónico").fill(live.admin_email)
    page.get_by_label("Contraseña").fill(live.password)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", name="Resumen · Salón Uno")).to_be_visible()
    expect(page.get_by_text("Sin configurar")).to_be_visible()


def configure_chatwoot(page: Page, chatwoot) -> str:
    """Credentials, the live check, the channel switch, then the webhook Chatwoot signs; returns the secret."""
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Configuración").click()
    page.get_by_label("URL de la API de Chatwoot").fill(chatwoot.url)
    page.get_by_label("ID de la cuenta").fill(str(ACCOUNT_ID))
    page.get_by_label("ID de la bandeja (inbox)").fill(str(chatwoot.api_inbox_id))
    page.get_by_label("Token de acceso a la API").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Guardar credenciales").click()
    expect(page.locator(".flashes")).to_contain_text("Credenciales guardadas")
    expect(page.get_by_label("Reemplazar token")).to_have_value("")
    page.get_by_role("button", name="Probar conexión").click()
    result = page.locator("#check-result")
    expect(result).to_contain_text("Conexión correcta")
    expect(result).to_contain_text("Integración CRM")
    expect(result).to_contain_text("Channel::Api")
    page.get_by_label("Canal Chatwoot activado").check()
    page.get_by_role("button", name="Guardar opciones").click()
    expect(page.locator(".flashes")).to_contain_text("Cambios guardados.")
    # In Chatwoot: add a webhook with the URL shown here; Chatwoot generates the signing secret.
    webhook_url = page.locator("#webhook-url").input_value()
    chatwoot.sim.add_webhook(ACCOUNT_ID, webhook_url)
    secret = chatwoot.sim.webhooks(ACCOUNT_ID)[0]["secret"]
    page.get_by_label("Pegar el secreto de Chatwoot").fill(secret)
    page.get_by_role("button", name="Guardar secreto").click()
    expect(page.locator(".flashes")).to_contain_text("Secreto del webhook guardado.")
    assert secret not in page.content()
    return secret


def receive_and_link_by_hand(page: Page, live, chatwoot, secret: str) -> int:
    """An unknown number writes; the signed webhook lands in the unmatched queue; staff link it to Laura."""
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, name="Laura M", phone_number="+5215587654321")
    _, message_id = chatwoot.sim.add_incoming_message(ACCOUNT_ID, chatwoot.api_inbox_id, contact_id,
                                                      "Hola, quiero una cita para el sábado")
    payload = chatwoot.sim.build_message_created(ACCOUNT_ID, message_id)
    response = chatwoot.sim.send_webhook(live.url + "/api/webhooks/chatwoot", payload, secret)
    assert response.status_code == 200, response.text
    wait_until(lambda: in_app(live, lambda: db.session.scalar(select(UnmatchedContact.id))))
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Contactos").click()
    page.get_by_role("link", name="Sin vincular", exact=True).click()
    expect(page.get_by_text("Hola, quiero una cita para el sábado")).to_be_visible()
    page.get_by_role("link", name="Vincular Laura M").click()
    page.get_by_label("Buscar cliente por nombre o teléfono").fill("Méndez")
    page.get_by_role("button", name="Vincular Laura Méndez").click()  # confirms (dialog accepted)
    expect(page.locator(".flashes")).to_contain_text(f"Contacto #{contact_id} vinculado con Laura Méndez.")
    # The worker pushes the attributes; the task panel polls until it says so.
    expect(page.locator("#contact-task")).to_have_attribute("data-status", "done", timeout=30000)
    expect(page.locator("#contact-task")).to_contain_text(f"El contacto #{contact_id} tiene los atributos")
    laura = in_app(live, lambda: db.session.scalar(select(Client).where(Client.first_name == "Laura")))
    assert laura.chatwoot_contact_id == str(contact_id)
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]["client_id"] == laura.id
    return contact_id


def sync_and_watch_the_bar(page: Page, chatwoot) -> None:
    chatwoot.sim.set_latency(0.04, "/contacts")
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Sincronización").click()
    expect(page.get_by_text("Aún no se ha sincronizado")).to_be_visible()
    page.get_by_role("button", name="Iniciar sincronización").click()
    bar = page.locator("#sync-progress progress")
    expect(bar).to_have_attribute("max", str(SYNCED_CLIENTS))
    page.wait_for_function("() => { const b = document.querySelector('#sync-progress progress');"
                           " return b && b.value > 0 && b.value < b.max; }", timeout=30000)
    expect(page.locator("#sync-progress")).to_have_attribute("data-status", "done", timeout=60000)
    expect(bar).to_have_attribute("value", str(SYNCED_CLIENTS))
    expect(page.locator("#sync-progress")).to_contain_text(f"Sincronizados {SYNCED_CLIENTS} de {SYNCED_CLIENTS}")
    chatwoot.sim.set_latency(0)
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if "/progress" in request.url else None)
    page.wait_for_timeout(2500)
    assert polls == [], "the finished bar must stop polling"
    history = page.locator("#sync-history")  # swapped with the card, without a reload
    expect(history).to_contain_text("Terminada")
    expect(history).not_to_contain_text("En cola")
    expect(history).to_contain_text(f"{SYNCED_CLIENTS} / {SYNCED_CLIENTS}")
    page.reload()
    expect(page.locator("#sync-history")).to_contain_text("Terminada")


def send_a_test_message(page: Page, chatwoot) -> None:
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Mensaje de prueba").click()
    page.get_by_label("Buscar cliente por nombre o teléfono").fill("Laura")
    page.get_by_role("radio", name=re.compile("Laura Méndez")).check()
    page.get_by_label("Texto", exact=True).select_option("TEST")
    page.get_by_role("button", name="Vista previa").click()
    expect(page.locator("#message-preview")).to_contain_text("Hola Laura Méndez, este es un mensaje de prueba de "
                                                             "Salón Uno.")
    page.get_by_role("button", name="Enviar ahora").click()
    expect(page.locator("#send-result")).to_have_attribute("data-status", "sent", timeout=30000)  # polled
    expect(page.locator("#send-result")).to_contain_text("Mensaje enviado")
    link = page.get_by_role("link", name="Abrir la conversación en Chatwoot")
    expect(link).to_have_attribute("href", re.compile(rf"^{re.escape(chatwoot.url)}/app/accounts/1/conversations/\d+$"))


def find_both_in_the_interaction_log(page: Page) -> None:
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Interacciones").click()
    log = page.locator("#interaction-list")
    expect(log).to_contain_text("Hola, quiero una cita para el sábado")
    expect(log).to_contain_text("este es un mensaje de prueba de Salón Uno")


def switch_to_english(page: Page) -> None:
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name=re.compile("Sections|Secciones")).get_by_role(
        "link", name="Overview")).to_be_visible()
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es-MX")


def test_first_day_of_a_new_salon(page: Page, live, chatwoot):
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())
    add_clients(live)
    log_in(page, live)
    secret = configure_chatwoot(page, chatwoot)
    receive_and_link_by_hand(page, live, chatwoot, secret)
    sync_and_watch_the_bar(page, chatwoot)
    send_a_test_message(page, chatwoot)
    find_both_in_the_interaction_log(page)
    switch_to_english(page)
