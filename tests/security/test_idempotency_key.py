"""An Idempotency-Key names one request: the same body gets the same answer, a different body a 422."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification
from tests.fixtures.notifications import make_client

BODY = {"type": "TEST", "recipient_id": "client-id", "message": "Hola {{clientName}}"}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification))


def test_same_key_same_body_is_the_same_answer(api, tenant):
    make_client(tenant)
    first = api.post("/api/v1/notifications", BODY, headers={"Idempotency-Key": "k-1"})
    again = api.post("/api/v1/notifications", dict(reversed(list(BODY.items()))), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 202
    assert first.json == again.json and _count() == 1


def test_same_key_different_body_is_422_and_changes_nothing(api, tenant):
    make_client(tenant)
    first = api.post("/api/v1/notifications", BODY, headers={"Idempotency-Key": "k-2"})
    other = api.post("/api/v1/notifications", {**BODY, "message": "Otro texto"}, headers={"Idempotency-Key": "k-2"})
    assert other.status_code == 422
    assert list(other.json["fields"]) == ["idempotency_key"]
    assert "already used with a different request" in other.json["error"]
    assert _count() == 1
    assert api.get(f"/api/v1/notifications/{first.json['id']}").json["message"] == "Hola Juan Pérez"


def test_keys_are_per_tenant(api, other_api, tenant, other_tenant):
    make_client(tenant)
    make_client(other_tenant, client_id="other-client", phone="+525587654321")
    mine = api.post("/api/v1/notifications", BODY, headers={"Idempotency-Key": "shared"})
    theirs = other_api.post("/api/v1/notifications", {**BODY, "recipient_id": "other-client"},
                            headers={"Idempotency-Key": "shared"})
    assert mine.status_code == theirs.status_code == 202 and mine.json["id"] != theirs.json["id"]
