"""JSON nested deeper than 64 levels is a 400, at webhook intake and on /api/v1; 64 levels are fine."""

from __future__ import annotations

import json

import pytest

from app.jsonbody import MAX_DEPTH
from tests.fixtures.webhooks import SEED_PAYLOAD, configure, event_count, post


def nested(depth: int) -> str:
    """JSON text whose outermost array is level 1 and innermost level `depth` (built as text: json.dumps
    itself cannot write 5,000 levels)."""
    return "[" * depth + "]" * depth


def with_field(document: dict, name: str, depth: int) -> bytes:
    # The object is level 1, so a field holding nested(n) reaches level n + 1.
    return json.dumps({**document, name: "HOLE"}).replace('"HOLE"', nested(depth)).encode()


def webhook_body(extra_depth: int) -> bytes:
    return with_field({**SEED_PAYLOAD, "account": {"id": 1}}, "extra", extra_depth)


@pytest.fixture
def hooked(tenant):
    configure(tenant.id)
    return tenant


def test_webhook_at_the_limit_is_accepted(app, hooked):
    response = post(app.test_client(), webhook_body(MAX_DEPTH - 1))
    assert response.status_code == 200 and response.json["status"] == "accepted"


@pytest.mark.parametrize("extra_depth", [MAX_DEPTH, 5000])
def test_webhook_deeper_is_400_and_nothing_stored(app, hooked, extra_depth):
    response = post(app.test_client(), webhook_body(extra_depth))
    assert response.status_code == 400 and response.json["code"] == "too_deep"
    assert event_count() == 0


def test_token_url_checks_depth_after_the_signature(app, hooked):
    from sqlalchemy import text

    from app.extensions import db

    token = db.session.execute(text("SELECT webhook_token FROM chatwoot_configs")).scalar()
    response = post(app.test_client(), webhook_body(5000), url=f"/api/webhooks/chatwoot/{token}")
    assert response.status_code == 400 and response.json["code"] == "too_deep"


def _client_body(depth_of_extra: int) -> bytes:
    return with_field({"first_name": "Ana", "phone": "5512345678"}, "notes", depth_of_extra)


def test_api_at_the_limit_is_parsed(api):
    response = api.http.put("/api/v1/clients/cli_1", data=_client_body(MAX_DEPTH - 1),
                            headers={**api.headers, "Content-Type": "application/json"})
    assert response.status_code == 201 and response.json["id"] == "cli_1"


@pytest.mark.parametrize("depth", [MAX_DEPTH, 5000])
@pytest.mark.parametrize("method,url", [("put", "/api/v1/clients/cli_1"), ("put", "/api/v1/appointments/a_1"),
                                        ("post", "/api/v1/notifications")])
def test_api_deeper_is_400(api, depth, method, url):
    response = getattr(api.http, method)(url, data=_client_body(depth),
                                         headers={**api.headers, "Content-Type": "application/json"})
    assert response.status_code == 400 and "nested deeper than 64 levels" in response.json["error"]
