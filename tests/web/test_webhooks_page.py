"""The webhook events page: deliveries with status and error, the raw body escaped, replay, empty state."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db, huey
from app.models import WebhookEvent

T0 = datetime(2025, 6, 10, 18, 0, tzinfo=UTC)


def add_event(tenant, n=1, at=T0, **fields):
    rows = []
    for i in range(n):
        values = {"event": "message_created", "status": "done", "raw_body": json.dumps({"event": "message_created"}),
                  "dedupe_key": f"{at.isoformat()}-{i}-{fields.get('status', 'done')}", **fields}
        rows.append(WebhookEvent(tenant_id=tenant.id, received_at=at + timedelta(minutes=i), **values))
    db.session.add_all(rows)
    db.session.commit()
    return rows


def detail_links(html):
    return re.findall(r'href="/t/uno/webhooks/([a-z0-9]+)"', html)


@pytest.fixture
def events(tenant):
    done = add_event(tenant, event="message_created", signed=True)[0]
    failed = add_event(tenant, at=T0 + timedelta(minutes=1), event="contact_updated", status="failed", attempts=5,
                       error="no contact in payload")[0]
    ignored = add_event(tenant, at=T0 + timedelta(minutes=2), event="conversation_typing_on", status="ignored")[0]
    return {"done": done, "failed": failed, "ignored": ignored}


def test_recent_deliveries_newest_first_with_status_attempts_and_error(tenant, admin, events):
    page = admin.get("/t/uno/webhooks/")
    assert page.status_code == 200
    assert detail_links(page.text) == [events["ignored"].id, events["failed"].id, events["done"].id]
    assert '<span class="badge badge-bad">Fallido</span>' in page.text
    assert "no contact in payload" in page.text and "Procesado" in page.text and "Ignorado" in page.text
    assert "sin firma" in page.text


@pytest.mark.parametrize(("status", "expected"), [("failed", ["failed"]), ("done", ["done"]), ("pending", []),
                                                  ("", ["ignored", "failed", "done"])])
def test_status_filter(tenant, admin, events, status, expected):
    page = admin.get(f"/t/uno/webhooks/?status={status}")
    assert detail_links(page.text) == [events[name].id for name in expected]


def test_detail_shows_the_raw_body_pretty_printed_and_escaped(tenant, admin):
    body = json.dumps({"event": "message_created", "content": "<img src=x onerror=alert(1)>", "id": 7})
    event = add_event(tenant, raw_body=body)[0]
    page = admin.get(f"/t/uno/webhooks/{event.id}")
    assert page.status_code == 200
    assert "<img src=x" not in page.text
    assert '  &#34;content&#34;: &#34;&lt;img src=x onerror=alert(1)&gt;&#34;,\n  &#34;event&#34;' in page.text


def test_a_body_that_is_not_json_is_shown_as_received(tenant, admin):
    event = add_event(tenant, raw_body="not json <b>")[0]
    assert "not json &lt;b&gt;" in admin.get(f"/t/uno/webhooks/{event.id}").text


def test_replay_resets_the_event_and_queues_it(tenant, admin, events):
    failed = events["failed"]
    while huey.dequeue() is not None:
        pass
    page = admin.get(f"/t/uno/webhooks/{failed.id}")
    assert 'data-confirm="' in page.text and f'action="/t/uno/webhooks/{failed.id}/replay"' in page.text
    response = admin.post(f"/t/uno/webhooks/{failed.id}/replay")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/t/uno/webhooks/{failed.id}")
    db.session.expire_all()
    event = db.session.get(WebhookEvent, failed.id)
    assert (event.status, event.attempts, event.error) == ("pending", 0, None)
    task = huey.dequeue()
    assert task is not None and failed.id in task.args


def test_replay_refuses_an_event_being_processed(tenant, admin):
    busy = add_event(tenant, status="processing", leased_until=datetime.now(UTC) + timedelta(minutes=5))[0]
    admin.post(f"/t/uno/webhooks/{busy.id}/replay")
    db.session.expire_all()
    assert db.session.get(WebhookEvent, busy.id).status == "processing"
    assert "se está procesando en este momento" in admin.get(f"/t/uno/webhooks/{busy.id}").text


def test_pages_follow_the_cursor(tenant, admin):
    add_event(tenant, n=64)
    first = admin.get("/t/uno/webhooks/")
    next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = admin.get(next_url)
    assert (len(detail_links(first.text)), len(detail_links(second.text))) == (50, 14)
    assert set(detail_links(first.text)).isdisjoint(detail_links(second.text))


def test_empty_state_gives_the_url_to_paste_in_chatwoot(app, tenant, admin):
    app.config["APP_BASE_URL"] = "https://citas.example.mx"
    page = admin.get("/t/uno/webhooks/")
    assert 'value="https://citas.example.mx/api/webhooks/chatwoot"' in page.text
    assert "Settings → Integrations → Webhooks" in page.text and 'data-copy="webhook-url"' in page.text


def test_htmx_gets_the_list_partial_only(tenant, admin, events):
    page = admin.get("/t/uno/webhooks/?status=failed", headers={"HX-Request": "true"})
    assert "<html" not in page.text and page.text.lstrip().startswith('<section id="webhook-list"')
    assert detail_links(page.text) == [events["failed"].id]


def test_another_tenants_events_are_404(tenant, other_tenant, staff):
    theirs = add_event(other_tenant, status="failed")[0]
    assert staff.get("/t/dos/webhooks/").status_code == 404
    assert staff.get(f"/t/uno/webhooks/{theirs.id}").status_code == 404
    assert staff.post(f"/t/uno/webhooks/{theirs.id}/replay").status_code == 404
    db.session.expire_all()
    assert db.session.get(WebhookEvent, theirs.id).status == "failed"


def test_logged_out_is_sent_to_login(app, tenant):
    for url in ("/t/uno/webhooks/", "/t/uno/webhooks/x"):
        response = app.test_client().get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
