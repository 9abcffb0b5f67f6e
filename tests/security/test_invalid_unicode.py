"""Lone surrogates (\\ud800) are a 400 at webhook intake and on /api/v1; an event stored before still renders."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from app.extensions import db
from app.models import WebhookEvent, WebhookStatus, new_id, utcnow
from tests.fixtures.webhooks import configure, event_count, post

LONE = rb'{"event": "message_created", "id": 9001, "account": {"id": 1}, "message_type": "incoming", ' \
       rb'"content": "hola \ud800", "conversation": {"id": 5, "contact": {"id": 7, "phone_number": "+525512345678"}}}'
PAIR = LONE.replace(rb"\ud800", rb"\ud83d\ude00").replace(b"9001", b"9002")


@pytest.fixture
def hooked(tenant):
    configure(tenant.id)
    return tenant


@pytest.mark.parametrize("body", [LONE, LONE.replace(rb"\ud800", rb"\uDFFF"),
                                  LONE.replace(rb'"content"', rb'"\udc00content"')])
def test_webhook_with_a_lone_surrogate_is_400(app, hooked, body):
    response = post(app.test_client(), body)
    assert response.status_code == 400 and response.json["code"] == "invalid_unicode"
    assert event_count() == 0


def test_webhook_with_a_surrogate_pair_is_an_emoji_and_accepted(app, hooked):
    response = post(app.test_client(), PAIR)
    assert response.status_code == 200 and response.json["status"] == "accepted"


def test_api_with_a_lone_surrogate_is_400(api):
    body = rb'{"first_name": "Ana \ud800", "phone": "5512345678"}'
    response = api.http.put("/api/v1/clients/cli_1", data=body,
                            headers={**api.headers, "Content-Type": "application/json"})
    assert response.status_code == 400 and "invalid Unicode escape" in response.json["error"]
    emoji = api.http.put("/api/v1/clients/cli_1", data=body.replace(rb"\ud800", rb"\ud83d\ude00"),
                         headers={**api.headers, "Content-Type": "application/json"})
    assert emoji.status_code == 201 and emoji.json["first_name"] == "Ana 😀"


def test_an_event_stored_before_the_rule_still_renders(admin, tenant):
    event_id = new_id()
    db.session.execute(insert(WebhookEvent).values(
        id=event_id, tenant_id=tenant.id, event="message_created", dedupe_key="message_created:old",
        raw_body=LONE.decode(), signed=True, status=WebhookStatus.FAILED, attempts=5, received_at=utcnow()))
    db.session.commit()
    page = admin.get(f"/t/uno/webhooks/{event_id}")
    assert page.status_code == 200
    assert r"hola \ud800" in page.text
