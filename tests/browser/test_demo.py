"""The README's first ten minutes on the demo alone, in Chromium: `flask setup` and `flask serve` run as a new
user runs them (web server, worker and simulator as real processes, nothing made by hand); then every page
of the dashboard, the simulator and the panel is opened with the console watched for errors."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, expect

from tests.fixtures.processes import Demo, running_demo

pytestmark = pytest.mark.browser
CUSTOMER_TEXT = "Hola, ¿tienen lugar el sábado?"
TEST_TEXT = "Hola Gabriela, te escribimos desde el salón para probar los mensajes."


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory.mktemp("demo-instance")) as started:
        yield started


@dataclass
class Console:
    """Everything the browser would show in red: console errors, uncaught exceptions, failed requests."""

    problems: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Console:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))
        page.on("response", self._response)
        return self

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"{message.location.get('url')}: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} {response.url}")


def log_in(page: Page, demo: Demo) -> None:
    page.goto(demo.url + "/")
    page.get_by_label("Correo electrónico").fill(demo.email)
    page.get_by_label("Contraseña").fill(demo.password)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Resumen · Salón Demo"))).to_be_visible()


def customer_writes_on_the_simulator(page: Page, demo: Demo) -> None:
    page.goto(demo.simulator_url + "/")
    page.get_by_label(re.compile("Teléfono del cliente")).fill("+52 55 9999 0000")
    page.get_by_label(re.compile("Nombre de perfil")).fill("Gabriela Ruiz")
    page.get_by_label("Mensaje").fill(CUSTOMER_TEXT)
    page.get_by_role("button", name="Enviar como el cliente").click()
    expect(page.get_by_text(CUSTOMER_TEXT)).to_be_visible()  # the conversation page of the simulator


def she_appears_unmatched(page: Page, demo: Demo) -> None:
    page.goto(demo.url + "/")
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Contactos").click()
    page.get_by_role("link", name="Sin vincular", exact=True).click()
    deadline = time.monotonic() + 30
    while not page.get_by_text(CUSTOMER_TEXT).is_visible():  # the worker may still be on it
        assert time.monotonic() < deadline, "she never appeared in Sin vincular"
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#unmatched-list")).to_contain_text("Gabriela Ruiz")


def create_her_as_a_client(page: Page) -> None:
    page.get_by_role("link", name="Crear cliente Gabriela Ruiz").click()
    expect(page.get_by_label("Nombre", exact=True)).to_have_value("Gabriela")
    page.get_by_role("button", name="Crear y vincular").click()
    expect(page.locator(".flashes")).to_contain_text("Gabriela Ruiz")
    expect(page.locator("#contact-task")).to_have_attribute("data-status", "done", timeout=30000)


def send_her_a_test_message(page: Page, demo: Demo) -> None:
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Mensaje de prueba").click()
    page.wait_for_load_state("load")  # htmx listens for typing only once its script has run
    page.get_by_label("Buscar cliente por nombre o teléfono").fill("Gabriela")
    page.get_by_role("radio", name=re.compile("Gabriela Ruiz")).check()
    page.get_by_label("Mensaje", exact=True).fill(TEST_TEXT)
    page.get_by_role("button", name="Enviar ahora").click()
    expect(page.locator("#send-result")).to_have_attribute("data-status", "sent", timeout=30000)
    link = page.get_by_role("link", name="Abrir la conversación en Chatwoot")
    expect(link).to_have_attribute("href", re.compile(rf"^{re.escape(demo.simulator_url)}/app/accounts/1/"))


def both_in_the_interaction_log(page: Page) -> None:
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Interacciones").click()
    log = page.locator("#interaction-list")
    expect(log).to_contain_text(CUSTOMER_TEXT)
    expect(log).to_contain_text(TEST_TEXT)
    expect(log).to_contain_text("Mensaje")  # event labels in Spanish, never the stored event names
    expect(log).not_to_contain_text("message_created")


def test_the_first_ten_minutes_of_the_readme_on_the_demo_alone(page: Page, demo: Demo):
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())
    console = Console().watch(page)
    log_in(page, demo)
    customer_writes_on_the_simulator(page, demo)
    she_appears_unmatched(page, demo)
    create_her_as_a_client(page)
    send_her_a_test_message(page, demo)
    both_in_the_interaction_log(page)
    assert console.problems == []


SKIPPED_PATHS = ("/logout", "/api/", "/static/", ".csv", "/healthz")
MAX_PAGES = 120


def _links(page: Page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        url = href.split("#", 1)[0]
        if url.startswith(origin) and not any(part in url for part in SKIPPED_PATHS):
            found.append(url)
    return found


def test_no_page_of_the_demo_has_a_console_error(page: Page, demo: Demo):
    """Every page a logged-in administrator can reach by links, plus the simulator's pages."""
    page.set_default_timeout(15000)
    console = Console().watch(page)
    log_in(page, demo)
    seen, queue = set(), [demo.url + "/", demo.simulator_url + "/"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response is not None and response.status < 400, f"{url}: {response and response.status}"
        page.wait_for_load_state("networkidle")
        origin = demo.simulator_url if url.startswith(demo.simulator_url) else demo.url
        queue += [link for link in _links(page, origin) if link not in seen]
    visited = {url.removeprefix(demo.url) for url in seen}
    assert {"/t/demo/settings/", "/t/demo/contacts/unmatched", "/t/demo/interactions/"} <= visited, sorted(visited)
    assert console.problems == [], console.problems
