"""POST /api/webhooks/chatwoot[/<token>]: checks in their order, durable rows, dedupe, fast answers."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
from sqlalchemy import select

from app.extensions import db, huey
from app.models import ChatwootConfig, WebhookStatus
from tests.conftest import make_app
from tests.fixtures.processes import truncated_request
from tests.fixtures.webhooks import (
    EXAMPLES,
    SECRET,
    SEED_PAYLOAD,
    URL,
    configure,
    event_count,
    example,
    hooked,
    post,
    served,
    signed_headers,
    stored,
    to_body,
    wired_hooked,
)

__all__ = ["hooked", "wired_hooked"]  # fixtures used below


@pytest.fixture
def http(app):
    return app.test_client()


def token_url(tenant_id: str) -> str:
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant_id))
    return f"{URL}/{config.webhook_token}"


def assert_refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.get_json()
    assert body["success"] is False and body["code"] == code and body["error"]
    assert event_count() == 0 and huey.pending_count() == 0


# -- accepted deliveries ----------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_payload_is_stored_whole_and_queued(http, hooked, name):
    body = to_body(example(name))
    response = post(http, body)
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["success"] is True and answer["status"] == "accepted" and answer["event"] == example(name)["event"]
    [row] = stored()
    assert row.id == answer["event_id"] and row.tenant_id == hooked.id and row.event == answer["event"]
    assert row.raw_body.encode() == body and row.signed is True and row.status == WebhookStatus.PENDING
    assert row.delivery_id == "b7d4c3a0-0000-4000-8000-000000000001" and row.attempts == 0
    assert huey.pending_count() == 1


def test_same_event_twice_is_stored_once(http, hooked):
    first = post(http, example("message_created_incoming.json")).get_json()
    second = post(http, example("message_created_incoming.json")).get_json()
    assert first["status"] == "accepted" and second["status"] == "duplicate"
    assert second["event_id"] == first["event_id"] and event_count() == 1 and huey.pending_count() == 1


def test_duplicate_detection_ignores_the_delivery_id_and_the_signature_time(http, hooked):
    """The account webhook and the API-inbox webhook send the same event with different headers."""
    post(http, example("message_updated.json"), headers={"X-Chatwoot-Delivery": "one"})
    again = post(http, example("message_updated.json"), timestamp=int(time.time()) - 30,
                 headers={"X-Chatwoot-Delivery": "two"})
    assert again.get_json()["status"] == "duplicate" and event_count() == 1


def test_a_new_status_of_the_same_message_is_a_new_event(http, hooked):
    delivered = example("message_updated.json")
    read = example("message_updated.json")
    read["conversation"]["messages"][0].update(status="read", updated_at="2026-06-20T16:07:12.331Z")
    assert post(http, delivered).get_json()["status"] == "accepted"
    assert post(http, read).get_json()["status"] == "accepted"
    assert event_count() == 2


def test_failed_status_of_an_older_message_differs_by_its_external_error(http, hooked):
    """When messages[0] is a later message, the status is not visible; the error still tells updates apart."""
    first = example("message_updated.json")
    first["conversation"]["messages"][0]["id"] = 9999
    failed = example("message_updated.json")
    failed["conversation"]["messages"][0]["id"] = 9999
    failed["content_attributes"] = {"external_error": "131047: Re-engagement message"}
    assert post(http, first).get_json()["status"] == "accepted"
    assert post(http, failed).get_json()["status"] == "accepted"


def test_both_conversation_events_for_one_change_are_kept(http, hooked):
    assert post(http, example("conversation_updated.json")).get_json()["status"] == "accepted"
    assert post(http, example("conversation_status_changed.json")).get_json()["status"] == "accepted"
    assert {row.event for row in stored()} == {"conversation_updated", "conversation_status_changed"}


@pytest.mark.parametrize("event", ["conversation_typing_on", "conversation_typing_off", "webwidget_triggered",
                                   "inbox_updated", "agent_bot_handoff", "something_new"])
def test_noise_and_unknown_events_are_answered_ignored_and_not_stored(http, hooked, event):
    response = post(http, {"event": event, "account": {"id": 1}, "id": 5})
    assert response.status_code == 200
    assert response.get_json()["status"] == "ignored" and response.get_json()["reason"]
    assert event_count() == 0 and huey.pending_count() == 0


def test_contact_updated_for_last_activity_only_is_ignored(http, hooked):
    noise = example("contact_updated.json")
    noise["changed_attributes"] = [{"last_activity_at": {"previous_value": 1, "current_value": 2}},
                                   {"updated_at": {"previous_value": "a", "current_value": "b"}}]
    assert post(http, noise).get_json()["status"] == "ignored"
    assert event_count() == 0


def test_the_answer_does_not_wait_on_chatwoot(http, wired_hooked, chatwoot):
    chatwoot.sim.set_latency(3)
    started = time.monotonic()
    response = post(http, example("message_created_incoming.json"))
    assert response.status_code == 200 and time.monotonic() - started < 1
    assert chatwoot.sim.count() == 0 and event_count() == 1


# -- signatures ----------------------------------------------------------------------------------


def test_unsigned_delivery_is_refused_by_default(http, hooked):
    assert_refused(post(http, example("message_created_incoming.json"), secret=None), 401, "missing_signature")


def test_unsigned_delivery_is_accepted_when_the_tenant_allows_it(http, hooked):
    configure(hooked.id, accept_unsigned=True)
    response = post(http, example("message_created_incoming.json"), secret=None)
    assert response.get_json()["status"] == "accepted"
    assert stored()[0].signed is False


def test_a_bad_signature_is_refused_even_when_unsigned_is_allowed(http, hooked):
    configure(hooked.id, accept_unsigned=True)
    assert_refused(post(http, example("message_created_incoming.json"), secret="not-the-secret"), 401,
                   "bad_signature")


def test_hmac_of_the_body_alone_is_refused(http, hooked):
    """Chatwoot issue #13809: the signed message is "<timestamp>." + body, not the body."""
    import hashlib
    import hmac

    body = to_body(example("message_created_incoming.json"))
    wrong = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = http.post(URL, data=body, headers={"X-Chatwoot-Timestamp": str(int(time.time())),
                                                  "X-Chatwoot-Signature": wrong})
    assert_refused(response, 401, "bad_signature")


def test_a_tampered_body_is_refused(http, hooked):
    body = to_body(example("message_created_incoming.json"))
    headers = signed_headers(body)
    response = http.post(URL, data=body.replace(b"premium", b"gratis!"), headers=headers)
    assert_refused(response, 401, "bad_signature")


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_stale_or_future_timestamps_are_refused(http, hooked, offset):
    response = post(http, example("message_created_incoming.json"), timestamp=int(time.time()) + offset)
    assert_refused(response, 401, "stale_timestamp")


@pytest.mark.parametrize("stamp", ["", "abc", "1.5e9", "１２３", "9" * 30])
def test_malformed_timestamps_are_refused(http, hooked, stamp):
    body = to_body(example("message_created_incoming.json"))
    headers = {**signed_headers(body), "X-Chatwoot-Timestamp": stamp}
    assert_refused(http.post(URL, data=body, headers=headers), 401, "stale_timestamp")


def test_a_timestamp_within_five_minutes_is_accepted(http, hooked):
    response = post(http, example("message_created_incoming.json"), timestamp=int(time.time()) - 290)
    assert response.get_json()["status"] == "accepted"


def test_no_secret_and_unsigned_not_allowed_says_to_configure_the_secret(http, hooked):
    configure(hooked.id, secret=None)
    response = post(http, example("message_created_incoming.json"))
    assert_refused(response, 401, "no_secret")
    assert "secreto" in response.get_json()["error"]


def test_the_environment_secret_is_the_fallback(app, http, hooked):
    configure(hooked.id, secret=None)
    app.config["CHATWOOT_WEBHOOK_SECRET"] = "global-secret"
    assert post(http, example("message_created_incoming.json"), secret="global-secret").status_code == 200
    assert post(http, example("message_updated.json")).status_code == 401


def test_a_secret_written_unencrypted_by_sql_still_verifies(http, hooked):
    db.session.execute(ChatwootConfig.__table__.update().values(webhook_secret="plain-sql-secret"))
    db.session.commit()
    assert post(http, example("message_created_incoming.json"), secret="plain-sql-secret").status_code == 200


# -- malformed bodies and the order of checks ---------------------------------------------------


@pytest.mark.parametrize(("body", "code"), [
    (b"not json", "invalid_json"),
    (b"", "invalid_json"),
    (b"\xff\xfe{}", "invalid_json"),
    (b'{"event": NaN}', "invalid_json"),
    (b"[" * 100000, "too_deep"),
    (b'[{"event": "message_created", "account": {"id": 1}}]', "not_an_object"),
    (b'"message_created"', "not_an_object"),
    (b"null", "not_an_object"),
    (b'{"account": {"id": 1}, "id": 5}', "not_an_event"),
    (b'{"event": 42, "account": {"id": 1}}', "not_an_event"),
    (b'{"event": "message_created", "id": 5}', "no_account_id"),
    (b'{"event": "message_created", "account": {"id": true}}', "no_account_id"),
    (b'{"event": "message_created", "account": {"id": "1; DROP"}}', "no_account_id"),
])
def test_bodies_that_are_not_chatwoot_events_get_400_before_any_signature_check(http, hooked, body, code):
    assert_refused(http.post(URL, data=body, headers={"Content-Type": "application/json"}), 400, code)


def test_unknown_account_is_404_before_the_signature(http, hooked):
    payload = example("message_created_incoming.json")
    payload["account"]["id"] = 999
    assert_refused(post(http, payload, secret=None), 404, "unknown_account")


def test_oversized_body_is_413_json_first(http, hooked):
    body = b'{"event":"message_created","account":{"id":1},"pad":"' + b"x" * (1024 * 1024) + b'"}'
    assert_refused(http.post(URL, data=body), 413, "too_large")
    assert_refused(http.post(f"{URL}/no-such-token", data=body), 413, "too_large")


def test_a_body_of_exactly_one_mebibyte_is_not_refused_for_size(http, hooked):
    head = b'{"event":"webwidget_triggered","account":{"id":1},"pad":"'
    body = head + b"x" * (1024 * 1024 - len(head) - 2) + b'"}'
    assert len(body) == 1024 * 1024
    assert post(http, body).get_json()["status"] == "ignored"


def test_a_chunked_oversized_body_is_413_over_real_http(app, hooked):
    def chunks():
        yield b'{"event":"message_created","account":{"id":1},"pad":"'
        for _ in range(1100):
            yield b"x" * 1024
        yield b'"}'

    with served(app) as base:
        response = requests.post(base + URL, data=chunks(), timeout=10)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert event_count() == 0


# -- tenants: several per account, the token URL ------------------------------------------------


def test_tenants_sharing_an_account_are_told_apart_by_inbox(http, hooked, other_tenant):
    configure(hooked.id, whatsapp_inbox_id="3")
    configure(other_tenant.id, chatwoot_inbox_id="7")
    assert post(http, example("message_created_incoming.json")).status_code == 200  # inbox 3
    assert stored()[0].tenant_id == hooked.id
    contact_event = example("contact_created.json")  # contacts belong to the account, not an inbox
    assert_ambiguous = post(http, contact_event)
    assert assert_ambiguous.status_code == 404 and assert_ambiguous.get_json()["code"] == "ambiguous_account"


def test_account_id_from_the_tenant_config_row_and_the_environment(app, http, tenant):
    configure(tenant.id, account_id=None)
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))
    config.account_id = " 1 "
    db.session.commit()
    assert post(http, example("contact_created.json")).status_code == 200
    config.account_id = None
    db.session.commit()
    assert post(http, example("message_created_incoming.json")).status_code == 404
    app.config["CHATWOOT_ACCOUNT_ID"] = "1"
    assert post(http, example("message_created_incoming.json")).status_code == 200


def test_token_url_accepts_unsigned_deliveries_when_the_tenant_has_no_secret(http, hooked):
    configure(hooked.id, account_id=None, secret=None)
    response = post(http, example("message_created_incoming.json"), url=token_url(hooked.id), secret=None)
    assert response.get_json()["status"] == "accepted" and stored()[0].signed is False


def test_token_url_checks_the_signature_when_the_tenant_has_a_secret(http, hooked):
    url = token_url(hooked.id)
    assert_refused(post(http, example("message_created_incoming.json"), url=url, secret=None), 401,
                   "missing_signature")
    assert_refused(post(http, example("message_created_incoming.json"), url=url, secret="wrong"), 401,
                   "bad_signature")
    assert post(http, example("message_created_incoming.json"), url=url).get_json()["status"] == "accepted"


def test_token_url_order_is_token_then_signature_then_json(http, hooked):
    url = token_url(hooked.id)
    assert_refused(post(http, b"not json", url=f"{URL}/wrong-token", secret=None), 404, "unknown_token")
    assert_refused(post(http, b"not json", url=url, secret=None), 401, "missing_signature")
    assert_refused(post(http, b"not json", url=url), 400, "invalid_json")
    assert_refused(post(http, b"[1, 2]", url=url), 400, "not_an_object")


def _post_truncated(base: str, path: str) -> tuple[int, str]:
    status, body = truncated_request(base, "POST", path)
    return status, json.loads(body)["code"] if status != 500 else "500"


def test_a_body_shorter_than_its_content_length_is_refused_in_the_usual_order(app, hooked):
    """Never a 500, and the token is still checked first."""
    with served(app) as base:
        assert _post_truncated(base, URL) == (400, "invalid_json")
        assert _post_truncated(base, f"{URL}/wrong-token") == (404, "unknown_token")
        assert _post_truncated(base, token_url(hooked.id)) == (401, "missing_signature")
    assert event_count() == 0


def test_seed_shape_needs_the_token_url_or_an_account(http, hooked):
    assert_refused(post(http, SEED_PAYLOAD), 400, "no_account_id")
    assert post(http, SEED_PAYLOAD, url=token_url(hooked.id)).get_json()["status"] == "accepted"
    with_account = {**SEED_PAYLOAD, "id": 124, "account": {"id": 1}}
    assert post(http, with_account).get_json()["status"] == "accepted"
    assert event_count() == 2


def test_get_on_the_webhook_url_is_still_the_seed_health_answer(http):
    assert http.get(URL).get_json()["message"] == "Webhook de Chatwoot activo"


# -- concurrency ---------------------------------------------------------------------------------


def test_concurrent_copies_of_one_event_store_one_row(app, hooked):
    """Both copies (account and API-inbox webhook) arriving at once, through a real threaded server."""
    body = to_body(example("message_created_incoming.json"))
    answers, barrier = [], threading.Barrier(8)

    def deliver(base):
        headers = {"Content-Type": "application/json", **signed_headers(body)}
        barrier.wait()
        answers.append(requests.post(base + URL, data=body, headers=headers, timeout=15))

    with served(app) as base:
        threads = [threading.Thread(target=deliver, args=(base,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert [r.status_code for r in answers] == [200] * 8
    statuses = sorted(r.json()["status"] for r in answers)
    assert statuses == ["accepted"] + ["duplicate"] * 7
    assert len({r.json()["event_id"] for r in answers}) == 1
    assert event_count() == 1 and huey.pending_count() == 1


# -- the endpoint in front of Flask (app/api/webhooks.py) -------------------------------------------

def test_webhook_answers_carry_the_security_headers(http, hooked):
    answer = post(http, {**SEED_PAYLOAD, "account": {"id": 1}})
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    assert answer.headers["X-Content-Type-Options"] == "nosniff" and answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in answer.headers  # production only
    assert "Set-Cookie" not in answer.headers


def test_production_webhook_answers_pin_https(tmp_path):
    production = make_app(tmp_path, ENV_NAME="production")
    answer = production.test_client().post(URL, data=b"{}", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(("method", "path"), [("POST", f"{URL}/token/extra"), ("POST", f"{URL}/"),
                                              ("GET", f"{URL}/sometoken"), ("PUT", URL)])
def test_other_methods_and_paths_go_on_to_flask(http, hooked, method, path):
    answer = http.open(path, method=method, data=b"{}")
    assert answer.status_code in (404, 405) and event_count() == 0


def test_an_unexpected_error_is_a_500_in_json_and_logged(tmp_path, monkeypatch, caplog):
    def broken(_delivery):
        raise RuntimeError("a bug")

    monkeypatch.setattr("app.api.webhooks.receive_on_account_url", broken)
    served = make_app(tmp_path, TESTING=False)
    answer = served.test_client().post(URL, data=b"{}", headers={"Content-Type": "application/json"})
    assert answer.status_code == 500
    assert answer.get_json() == {"success": False, "code": "internal_error", "error": "Error interno; reintente"}
    assert any(record.message == "webhook failed" and record.exc_info for record in caplog.records)
