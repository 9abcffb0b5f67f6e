"""The seed's webhook health answer and /healthz."""

from datetime import UTC, datetime

from app.extensions import huey


def test_seed_webhook_health_answer(app):
    response = app.test_client().get("/api/webhooks/chatwoot")
    assert response.status_code == 200
    body = response.get_json()
    assert body["success"] is True and body["message"] == "Webhook de Chatwoot activo"
    stamp = datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 5 and body["timestamp"].endswith("Z")


def test_healthz_ok(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "queue": "ok"}}


def test_healthz_503_when_the_queue_is_down(app, monkeypatch):
    def broken():
        raise ConnectionError("queue unreachable")

    monkeypatch.setattr(huey, "pending_count", broken)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"] == "ok" and "queue unreachable" in body["checks"]["queue"]
