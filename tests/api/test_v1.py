"""The booking-system API: API keys, client and appointment upserts, notification requests, JSON errors."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db, huey
from app.models import ApiKey, Appointment, Client, Notification, NotificationStatus
from app.services.settings.api_keys import authenticate, create_api_key, hash_key, revoke_api_key
from tests.fixtures.notifications import drain, make_client, outgoing
from tests.fixtures.processes import truncated_request
from tests.fixtures.webhooks import served

NOW = datetime(2026, 11, 11, 18, 0, tzinfo=UTC)


@pytest.fixture
def api_key(wired_tenant):
    _key, plaintext = create_api_key(wired_tenant, "CitaPlanner producción")
    db.session.commit()
    return plaintext


@pytest.fixture
def api(app, api_key):
    class Api:
        http = app.test_client()
        headers = {"Authorization": f"Bearer {api_key}"}

        def put(self, url, json, **kw):
            return self.http.put(url, json=json, headers={**self.headers, **kw.pop("headers", {})}, **kw)

        def post(self, url, json, **kw):
            return self.http.post(url, json=json, headers={**self.headers, **kw.pop("headers", {})}, **kw)

        def get(self, url):
            return self.http.get(url, headers=self.headers)

    return Api()


def test_keys_are_stored_hashed_and_shown_once(wired_tenant):
    key, plaintext = create_api_key(wired_tenant, "Integración")
    db.session.commit()
    assert plaintext.startswith("cpk_") and len(plaintext) > 40
    assert key.key_hash == hash_key(plaintext) and plaintext not in (key.prefix + key.key_hash)
    assert key.prefix == plaintext[:12]
    assert authenticate(plaintext).id == key.id and authenticate(plaintext + "x") is None
    revoke_api_key(key.id)
    assert authenticate(plaintext) is None


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer cpk_wrong", "Basic dXNlcjpwYXNz", "cpk_no_scheme"])
def test_missing_or_bad_keys_get_a_json_401(app, api_key, header):
    headers = {"Authorization": header} if header else {}
    response = app.test_client().get("/api/v1/notifications/x", headers=headers)
    assert response.status_code == 401 and response.is_json
    assert "API key" in response.json["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_cli_creates_and_revokes_keys(app, wired_tenant):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["apikey", "create", "uno", "Reservas"])
    assert created.exit_code == 0, created.output
    plaintext = re.search(r"key: (cpk_\S+)", created.output).group(1)
    key_id = re.search(r"id: (\S+)", created.output).group(1)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {plaintext}"}
    assert client.get("/api/v1/notifications/none", headers=auth).status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiKey, key_id).last_used_at is not None
    assert runner.invoke(args=["apikey", "revoke", key_id]).exit_code == 0
    assert client.get("/api/v1/notifications/none", headers=auth).status_code == 401
    missing = runner.invoke(args=["apikey", "create", "nope", "x"])
    assert missing.exit_code == 1 and "no tenant" in missing.output


def test_put_client_creates_then_updates_by_citaplanner_id(api, wired_tenant):
    body = {"first_name": "Ana", "last_name": "Ruiz", "phone": "55 1234 5678", "email": "ANA@example.com"}
    created = api.put("/api/v1/clients/cp-client-1", body)
    assert created.status_code == 201
    assert created.json | {"id": "cp-client-1", "phone_e164": "+525512345678", "email": "ana@example.com"} == \
        created.json
    updated = api.put("/api/v1/clients/cp-client-1", {**body, "marketing_opt_out": True})
    assert updated.status_code == 200 and updated.json["marketing_opt_out"] is True
    assert db.session.scalar(select(func.count()).select_from(Client)) == 1


def test_put_client_reports_field_errors(api):
    response = api.put("/api/v1/clients/cp-2", {"first_name": "Ana", "phone": "12"})
    assert response.status_code == 422
    assert set(response.json) == {"error", "fields"} and set(response.json["fields"]) == {"phone"}
    missing = api.put("/api/v1/clients/cp-2", {"phone": "5512345678"})
    assert missing.json["fields"] == {"first_name": "first_name is required"}


def test_bodies_that_are_not_json_objects_are_400(api):
    assert api.http.put("/api/v1/clients/x", data="nope", headers=api.headers).status_code == 400
    response = api.put("/api/v1/clients/x", ["a"])
    assert response.status_code == 400 and "JSON object" in response.json["error"]


def test_another_tenants_ids_are_invisible_and_free_to_use(api, wired_tenant, other_tenant):
    foreign = make_client(other_tenant, client_id="foreign-client")
    db.session.add(Appointment(id="foreign-appt", tenant_id=other_tenant.id, client_id=foreign.id,
                               starts_at=datetime(2026, 12, 1, tzinfo=UTC)))
    notification = Notification(tenant_id=other_tenant.id, type="TEST", channel="CHATWOOT",
                                client_id=foreign.id, message="hola", variables={})
    db.session.add(notification)
    db.session.commit()
    assert api.get("/api/v1/appointments/foreign-appt").status_code == 404
    assert api.get(f"/api/v1/notifications/{notification.id}").status_code == 404
    # A reference to an id only another salon uses is a field error, as for an id nobody uses.
    body = {"client_id": "foreign-client", "starts_at": "2026-12-01T10:00:00"}
    own_appt = api.put("/api/v1/appointments/mine", body)
    assert own_appt.status_code == 422 and own_appt.json["fields"] == {"client_id": (
        "client_id: no client foreign-client in this salon")}
    # The same CitaPlanner ids are this salon's own to use.
    mine = api.put("/api/v1/clients/foreign-client", {"first_name": "X", "phone": "5511112222"})
    assert mine.status_code == 201 and mine.json["id"] == "foreign-client"
    appt = api.put("/api/v1/appointments/foreign-appt", body)
    assert appt.status_code == 201 and appt.json["client_id"] == "foreign-client"
    assert api.get("/api/v1/appointments/foreign-appt").json["starts_at"] == "2026-12-01T16:00:00+00:00"
    assert db.session.get(Client, "foreign-client").first_name == "Juan"
    assert db.session.scalar(select(func.count()).select_from(Client).where(
        Client.tenant_id == wired_tenant.id, Client.external_id == "foreign-client")) == 1


def test_put_appointment_confirms_and_arms_reminders(api, wired_tenant, chatwoot):
    make_client(wired_tenant)
    with time_machine.travel(NOW, tick=False):
        response = api.put("/api/v1/appointments/cp-appt-1", {
            "client_id": "client-id", "starts_at": "2026-11-13T10:00:00", "ends_at": "2026-11-13T11:00:00",
            "service_name": "Corte", "staff_name": "Lupita", "status": "scheduled"})
        assert response.status_code == 201
        assert response.json["starts_at"] == "2026-11-13T16:00:00+00:00"
        assert sorted(n["type"] for n in response.json["notifications"]) == [
            "APPOINTMENT_CONFIRMATION", "APPOINTMENT_REMINDER", "APPOINTMENT_REMINDER"]
        drain()
        moved = api.put("/api/v1/appointments/cp-appt-1", {"client_id": "client-id",
                                                            "starts_at": "2026-11-14T10:00:00"})
        assert moved.status_code == 200
        assert "APPOINTMENT_RESCHEDULED" in [n["type"] for n in moved.json["notifications"]]
        drain()
    texts = [m["content"] for m in outgoing(chatwoot)]
    assert len(texts) == 2 and "quedó confirmada" in texts[0] and "cambió al sábado 14" in texts[1]


def test_put_appointment_reports_field_errors(api, wired_tenant):
    make_client(wired_tenant)
    bad = api.put("/api/v1/appointments/a1", {"client_id": "client-id", "starts_at": "mañana"})
    assert bad.status_code == 422 and set(bad.json["fields"]) == {"starts_at"}
    status = api.put("/api/v1/appointments/a1", {"client_id": "client-id", "starts_at": "2026-11-13T10:00:00",
                                                 "status": "maybe"})
    assert set(status.json["fields"]) == {"status"}
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_post_notification_then_read_its_status(api, wired_tenant, chatwoot):
    make_client(wired_tenant)
    with time_machine.travel(NOW, tick=False):  # midday: reminders are not held back by quiet hours
        response = api.post("/api/v1/notifications", {
            "type": "APPOINTMENT_REMINDER", "channel": "CHATWOOT", "recipientId": "client-id",
            "message": "Hola {{clientName}}, te esperamos a las {{appointmentTime}}",
            "variables": {"appointmentTime": "10:00"}})
        assert response.status_code == 202 and response.json["status"] == "pending"
        assert response.headers["Location"] == f"/api/v1/notifications/{response.json['id']}"
        assert response.json["message"] == "Hola Juan Pérez, te esperamos a las 10:00"
        drain()
    status = api.get(response.headers["Location"])
    assert status.status_code == 200 and status.json["status"] == NotificationStatus.SENT
    assert status.json["chatwoot"]["message_id"] == str(outgoing(chatwoot)[0]["id"])


def test_post_notification_with_an_idempotency_key_sends_once(api, wired_tenant, chatwoot):
    make_client(wired_tenant)
    body = {"type": "TEST", "recipient_id": "client-id"}
    first = api.post("/api/v1/notifications", body, headers={"Idempotency-Key": "cp-42"})
    again = api.post("/api/v1/notifications", body, headers={"Idempotency-Key": "cp-42"})
    assert first.json["id"] == again.json["id"]
    drain()
    assert len(outgoing(chatwoot)) == 1


def test_concurrent_requests_with_one_idempotency_key_store_one_notification(app, api, wired_tenant):
    make_client(wired_tenant)
    barrier, answers = threading.Barrier(4), []

    def request():
        with app.app_context():
            barrier.wait()
            answers.append(api.post("/api/v1/notifications", {"type": "TEST", "recipient_id": "client-id"},
                                    headers={"Idempotency-Key": "same"}).json["id"])
            db.session.remove()

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 4 and len(set(answers)) == 1
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    assert huey.pending_count() == 1


def test_post_notification_field_errors(api, wired_tenant):
    make_client(wired_tenant)
    cases = [({"type": "TEST"}, "recipient_id"), ({"recipient_id": "client-id"}, "type"),
             ({"type": "TEST", "recipient_id": "client-id", "channel": "FAX"}, "channel"),
             ({"type": "TEST", "recipient_id": "client-id", "message": "{{codigo}}"}, "variables"),
             ({"type": "TEST", "recipient_id": "client-id", "message": 5}, "message")]
    for body, field in cases:
        response = api.post("/api/v1/notifications", body)
        assert response.status_code == 422 and list(response.json["fields"]) == [field], body
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_busy_database_answers_503_and_saves_nothing(app, api, locked_database):
    locked_database.execute("ROLLBACK")
    assert api.get("/api/v1/notifications/none").status_code == 404  # the key's last use is noted first
    locked_database.execute("BEGIN IMMEDIATE")
    response = api.put("/api/v1/clients/cp-busy", {"first_name": "Ana", "last_name": "Ruiz",
                                                   "phone": "+52 55 1234 5678"})
    assert response.status_code == 503
    assert response.json == {"error": "the database is busy; send the request again"}
    locked_database.execute("ROLLBACK")
    assert db.session.get(Client, "cp-busy") is None
    assert api.put("/api/v1/clients/cp-busy", {"first_name": "Ana", "last_name": "Ruiz",
                                               "phone": "+52 55 1234 5678"}).status_code == 201
    locked_database.execute("BEGIN IMMEDIATE")  # held again for the fixture's teardown


def test_a_body_cut_short_gets_a_json_400(app, api_key):
    """Errors are JSON, also werkzeug's own: a body shorter than its Content-Length (the sender stopped)."""
    with served(app) as base:
        status, body = truncated_request(base, "PUT", "/api/v1/clients/cli_t",
                                         {"Authorization": f"Bearer {api_key}"})
    assert status == 400 and "error" in json.loads(body)
