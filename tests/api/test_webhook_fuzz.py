"""Thousands of malformed deliveries: never a 500, never a row from a rejected request.

Signed partial Chatwoot shapes go further: they are accepted and the worker must process every one
without an error (a handler bug would show up as a pending or failed event).
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from app.chatwoot.payloads import PROCESSED_EVENTS
from app.extensions import db, huey
from app.models import (
    AuditLog,
    ChatwootConfig,
    ChatwootInteraction,
    Client,
    UnmatchedContact,
    WebhookEvent,
    WebhookStatus,
)
from app.sandbox import ALLOWED_EVENTS, signature
from app.services.clients.records import upsert_client
from tests.fixtures.webhooks import SECRET, URL, drain, event_count, example, hooked

__all__ = ["hooked"]  # fixture used below
FUZZ = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
EXPECTED = {200, 400, 401, 404, 413}

scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=20)
good_ids = st.integers(1, 10**9) | st.integers(1, 10**9).map(str)
ids = good_ids | good_ids | good_ids | st.none() | st.integers(-5, 2**66) | st.text(max_size=45) | st.booleans() \
    | st.floats(allow_nan=False)
processed = st.sampled_from(sorted(PROCESSED_EVENTS))
events = processed | processed | processed | st.sampled_from([*ALLOWED_EVENTS, "", "MESSAGE_CREATED", "x" * 80]) \
    | st.text(max_size=20)
phones = st.none() | st.sampled_from(["+525512345678", "+5215512345678", "55 1234 5678", "+12", "", "x+52"]) \
    | st.text(max_size=20)
contacts = st.fixed_dictionaries({}, optional={"id": ids, "name": st.none() | st.text(max_size=300),
                                               "phone_number": phones, "email": st.none() | st.text(max_size=300),
                                               "type": st.sampled_from(["contact", "user", None])})
messages = st.fixed_dictionaries({}, optional={
    "id": ids, "status": st.sampled_from(["sent", "delivered", "read", "failed", "progress", None]) | scalars,
    "message_type": st.integers(-1, 4) | scalars, "created_at": ids, "updated_at": scalars,
    "content_attributes": json_values, "sender": contacts | scalars, "content": scalars, "inbox_id": ids})
conversations = st.fixed_dictionaries({}, optional={
    "id": ids, "inbox_id": ids, "messages": st.lists(messages | scalars, max_size=2) | scalars,
    "meta": st.fixed_dictionaries({}, optional={"sender": contacts | scalars}) | scalars,
    "contact": contacts | scalars, "channel": st.sampled_from(["Channel::Whatsapp", "Channel::Api"]) | scalars,
    "contact_inbox": st.fixed_dictionaries({}, optional={"source_id": scalars}) | scalars,
    "status": scalars, "updated_at": ids})
shapes = st.fixed_dictionaries({"event": events, "account": st.fixed_dictionaries({"id": st.just(1)})}, optional={
    "id": ids, "message_type": st.sampled_from(["incoming", "incoming", "outgoing", "template", "activity"]) | scalars,
    "private": scalars, "content": st.none() | st.text(max_size=600), "sender": contacts | scalars,
    "conversation": conversations | scalars, "content_attributes": json_values, "inbox": json_values,
    "changed_attributes": st.none() | st.lists(st.dictionaries(
        st.sampled_from(["phone_number", "status", "updated_at", "last_activity_at"]), json_values), max_size=3)
    | scalars, "phone_number": phones, "status": scalars, "updated_at": ids, "created_at": ids,
    "messages": st.lists(messages, max_size=1), "meta": json_values, "name": scalars, "email": scalars})
header_text = st.none() | st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=80)


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.fixture
def processing(hooked):
    """A client whose phone the shapes use, and a clean slate of rows before each example."""
    upsert_client(hooked, {"first_name": "María", "phone": "55 1234 5678"})
    db.session.commit()

    def reset():
        for model in (WebhookEvent, ChatwootInteraction, UnmatchedContact, AuditLog):
            db.session.execute(delete(model))
        db.session.execute(update(Client).values(chatwoot_contact_id=None))
        db.session.commit()

    return reset


@pytest.fixture
def token(hooked):
    return db.session.scalar(select(ChatwootConfig.webhook_token).where(ChatwootConfig.tenant_id == hooked.id))


def send(http, url: str, body: bytes, sig=None, stamp=None):
    headers = {k: v for k, v in (("X-Chatwoot-Signature", sig), ("X-Chatwoot-Timestamp", stamp)) if v is not None}
    return http.post(url, data=body, headers={"Content-Type": "application/json", **headers})


def check(response, before: int) -> None:
    assert response.status_code in EXPECTED, (response.status_code, response.text)
    assert response.is_json and response.get_json()["success"] is (response.status_code == 200)
    after = event_count()
    if response.status_code != 200:
        assert after == before
    else:
        assert after - before == (1 if response.get_json()["status"] == "accepted" else 0)


@FUZZ
@given(body=st.binary(max_size=300), sig=header_text, stamp=header_text, use_token=st.booleans())
def test_random_bytes_and_headers(http, hooked, token, body, sig, stamp, use_token):
    before = event_count()
    check(send(http, f"{URL}/{token}" if use_token else URL, body, sig, stamp), before)


@FUZZ
@given(value=json_values, url_token=st.none() | st.text(
    st.characters(min_codepoint=33, exclude_categories=("Cs",), exclude_characters="/?#%\\"), min_size=1,
    max_size=70))
def test_random_json_anywhere_unsigned(http, hooked, value, url_token):
    before = event_count()
    url = URL if url_token is None else f"{URL}/{url_token}"
    check(send(http, url, json.dumps(value).encode()), before)


@FUZZ
@given(payload=shapes, sign=st.booleans())
def test_partial_chatwoot_shapes_on_the_bare_url(http, hooked, payload, sign):
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()))
    before = event_count()
    check(send(http, URL, body, signature(SECRET, stamp, body) if sign else None, stamp), before)
    if not sign:
        assert event_count() == before


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=shapes)
def test_every_accepted_shape_is_processed_without_an_error(http, processing, payload):
    processing()
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()))
    response = send(http, URL, body, signature(SECRET, stamp, body), stamp)
    assert response.status_code in (200, 400), response.text
    event(f"answer {response.get_json().get('status') or response.get_json().get('code')}")
    if response.status_code == 200 and response.get_json()["status"] == "accepted":
        drain()
        db.session.expire_all()
        row = db.session.get(WebhookEvent, response.get_json()["event_id"])
        assert row.status in (WebhookStatus.DONE, WebhookStatus.IGNORED), (payload, row.error)
        event(f"processed: {row.event} {row.status}")
    assert huey.scheduled_count() == 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(st.sampled_from(["conversation", "meta", "sender", "messages", "contact", "account",
                                      "changed_attributes", "content_attributes", "id", "phone_number"]),
                     min_size=1, max_size=3), replacement=json_values,
       name=st.sampled_from(["message_created_incoming.json", "message_updated.json", "conversation_updated.json",
                             "contact_updated.json", "message_created_outgoing.json"]))
def test_mutated_example_payloads_are_processed_without_an_error(http, processing, path, replacement, name):
    processing()
    payload = example(name)
    target = payload
    for key in path[:-1]:
        target = target.get(key) if isinstance(target, dict) else None
    if isinstance(target, dict):
        target[path[-1]] = replacement
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()))
    response = send(http, URL, body, signature(SECRET, stamp, body), stamp)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200 and response.get_json()["status"] == "accepted":
        drain()
        db.session.expire_all()
        row = db.session.get(WebhookEvent, response.get_json()["event_id"])
        assert row.status in (WebhookStatus.DONE, WebhookStatus.IGNORED), (payload, row.error)
        event(f"processed: {row.event} {row.status}")
