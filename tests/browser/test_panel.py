"""The Dashboard App panel in a real Chromium: inside an iframe whose parent page answers
`chatwoot-dashboard-app:fetch-info` with a Chatwoot-shaped context, as Chatwoot does."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Appointment, NotificationSettings, Tenant, utcnow
from app.services.agents.panel import panel_url
from tests.fixtures.notifications import make_client

pytestmark = pytest.mark.browser
ACCOUNT_ID = 1
CONTACT_ID = 41

PARENT = """<!doctype html><html><body><h1>Chatwoot</h1>
<iframe id="app" src="%(panel)s" width="600" height="500"></iframe>
<script>
window.addEventListener("message", function (event) {
  if (event.data !== "chatwoot-dashboard-app:fetch-info") { return; }
  event.source.postMessage(JSON.stringify({event: "appContext", data: %(context)s}), "*");
});
</script></body></html>"""


def context(account_id: int) -> dict:
    sender = {"id": CONTACT_ID, "name": "Ana", "phone_number": "+525512345678", "type": "contact"}
    return {"conversation": {"id": 7, "account_id": account_id, "inbox_id": 2, "status": "open",
                             "meta": {"sender": sender, "assignee": None}, "messages": []},
            "contact": {"id": CONTACT_ID, "name": "Ana", "phone_number": "+525512345678", "email": None},
            "currentAgent": {"id": 1, "name": "Carlos Ruiz", "email": "carlos@example.com"}}


@contextmanager
def chatwoot_page(html: dict) -> Iterator[str]:
    """A stand-in for Chatwoot's conversation view on its own origin (a free loopback port)."""
    def app(environ, start_response):
        return Response(html["body"], mimetype="text/html")(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def chatwoot_origin():
    html = {"body": ""}
    with chatwoot_page(html) as origin:
        yield origin, html


def set_up(live, origin: str) -> str:
    """Tenant uno's Chatwoot lives at `origin`; Ana is linked to contact 41 with an appointment in two days."""
    with live.app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "uno"))
        settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
        settings.chatwoot_api_url, settings.chatwoot_account_id = origin, str(ACCOUNT_ID)
        client = make_client(tenant, "cp-ana", "+525512345678", "Ana", "Ruiz", chatwoot_contact_id=str(CONTACT_ID))
        db.session.add(Appointment(tenant_id=tenant.id, client_id=client.id, service_name="Tinte", staff_name="Lupita",
                                   starts_at=utcnow() + timedelta(days=2)))
        url = panel_url(tenant)  # on APP_BASE_URL, the live server
        db.session.commit()
    assert url.startswith(live.url + "/chatwoot/app/")
    return url


def test_inside_chatwoot_it_shows_the_client_and_her_next_appointment(live, page: Page, chatwoot_origin):
    origin, html = chatwoot_origin
    html["body"] = PARENT % {"panel": set_up(live, origin), "context": json.dumps(context(ACCOUNT_ID))}
    page.goto(origin)
    frame = page.frame_locator("#app")
    expect(frame.locator("#panel-client h1")).to_have_text("Ana Ruiz", timeout=15000)
    expect(frame.locator("#panel-next")).to_contain_text("Tinte")
    expect(frame.locator("#panel-next")).to_contain_text("Lupita")


def test_a_contact_of_another_account_shows_nothing_of_ours(live, page: Page, chatwoot_origin):
    origin, html = chatwoot_origin
    html["body"] = PARENT % {"panel": set_up(live, origin), "context": json.dumps(context(ACCOUNT_ID + 1))}
    page.goto(origin)
    frame = page.frame_locator("#app")
    expect(frame.locator("#panel-empty")).to_be_visible(timeout=15000)
    expect(frame.locator("body")).not_to_contain_text("Ana")
    expect(frame.locator("body")).not_to_contain_text("Tinte")


def test_framed_from_another_origin_it_is_refused(live, page: Page, chatwoot_origin):
    origin, _html = chatwoot_origin
    panel = set_up(live, origin)
    stranger = {"body": PARENT % {"panel": panel, "context": json.dumps(context(ACCOUNT_ID))}}
    refusals = []
    page.on("console", lambda message: refusals.append(message.text) if "frame-ancestors" in message.text else None)
    with chatwoot_page(stranger) as other_origin:
        page.goto(other_origin)
        page.wait_for_timeout(1500)
    assert refusals, "Chromium reports the CSP refusal"
    ours = [f for f in page.frames if f != page.main_frame and "/chatwoot/app/" in f.url]
    assert all("Ana" not in f.content() and "panel" not in f.content() for f in ours)


def test_an_unlinked_contact_is_linked_to_the_likely_client_in_one_click(live, page: Page, chatwoot_origin):
    origin, html = chatwoot_origin
    panel = set_up(live, origin)
    with live.app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "uno"))
        make_client(tenant, "cp-eva", "+525599999999", "Eva", "Luna")
    unlinked = context(ACCOUNT_ID)
    unlinked["contact"] = {"id": 77, "name": "Eva", "phone_number": "+525599999999", "email": None}
    html["body"] = PARENT % {"panel": panel, "context": json.dumps(unlinked)}
    page.goto(origin)
    frame = page.frame_locator("#app")
    frame.get_by_role("button", name="Vincular con Eva Luna").click(timeout=15000)
    expect(frame.locator("#panel-client h1")).to_have_text("Eva Luna", timeout=15000)
    with live.app.app_context():
        from app.models import Client

        assert db.session.get(Client, "cp-eva").chatwoot_contact_id == "77"
