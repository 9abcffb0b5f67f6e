"""The demo loop: `flask setup` and `flask serve` wire the demo salon and the bundled simulator both ways, and
`flask chatwoot simulator incoming` makes a customer write, delivered signed to the running app."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.chatwoot.settings import require_settings, tenant_rows
from app.cli.demo import wire_demo
from app.crypto import reveal
from app.extensions import db
from app.models import ChatwootInteraction, Client, Tenant, WebhookEvent, WebhookStatus
from app.sandbox import DEMO_TOKEN, SimulatorServer, demo_token, open_demo_simulator
from tests.conftest import dispose_engines, make_app
from tests.fixtures.processes import free_port
from tests.fixtures.webhooks import drain, served

SIMULATOR_PORT = free_port()
SIMULATOR_URL = f"http://127.0.0.1:{SIMULATOR_PORT}"


@pytest.fixture
def app(tmp_path, monkeypatch):
    """`flask setup` on a fresh instance, with the simulator expected at SIMULATOR_URL and PORT unset."""
    monkeypatch.setattr("app.cli.demo.DEMO_SIMULATOR_URL", SIMULATOR_URL)
    monkeypatch.delenv("PORT", raising=False)
    app = make_app(tmp_path, APP_BASE_URL="")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["setup"])
        assert result.exit_code == 0, result.output
        yield app
        db.session.remove()
        dispose_engines()


@pytest.fixture
def demo(app):
    return db.session.scalar(select(Tenant).where(Tenant.slug == "demo"))


def simulator(app):
    return open_demo_simulator(app.config["SIMULATOR_STATE_PATH"])


def test_setup_gives_the_salon_the_simulators_token_and_a_secret_the_simulator_signs_with(app, demo):
    settings = require_settings(demo.id)
    sim = simulator(app)
    assert settings.api_url == SIMULATOR_URL and settings.enabled
    assert settings.api_token == demo_token(sim) != DEMO_TOKEN
    assert (settings.account_id, settings.inbox_id) == ("1", "1")
    secret = reveal(tenant_rows(demo.id)[1].webhook_secret)
    assert secret and len(secret) >= 24
    assert [(h["url"], h["secret"]) for h in sim.webhooks(1)] == [
        ("http://127.0.0.1:5000/api/webhooks/chatwoot", secret)]
    assert "message_created" in sim.webhooks(1)[0]["subscriptions"]


def test_serve_points_the_webhook_at_its_port_and_keeps_the_secret(app, demo):
    secret = reveal(tenant_rows(demo.id)[1].webhook_secret)
    assert wire_demo("http://127.0.0.1:5150") == "http://127.0.0.1:5150/api/webhooks/chatwoot"
    assert wire_demo("http://127.0.0.1:5150") == "http://127.0.0.1:5150/api/webhooks/chatwoot"  # idempotent
    hooks = simulator(app).webhooks(1)
    assert [(h["url"], h["secret"]) for h in hooks] == [("http://127.0.0.1:5150/api/webhooks/chatwoot", secret)]
    assert reveal(tenant_rows(demo.id)[1].webhook_secret) == secret


def test_an_older_demo_salon_gets_the_token_and_a_secret(app, demo):
    settings, config = tenant_rows(demo.id)
    settings.chatwoot_api_token, config.webhook_secret = DEMO_TOKEN, None
    db.session.commit()
    wire_demo("http://127.0.0.1:5000")
    settings, config = tenant_rows(demo.id)
    sim = simulator(app)
    assert reveal(settings.chatwoot_api_token) == demo_token(sim)
    assert sim.webhooks(1)[0]["secret"] == reveal(config.webhook_secret) is not None


def test_a_demo_salon_moved_to_a_real_chatwoot_is_left_alone(app, demo):
    settings, _ = tenant_rows(demo.id)
    settings.chatwoot_api_url, settings.chatwoot_api_token = "https://chat.example.com", "real-token"
    db.session.commit()
    assert wire_demo("http://127.0.0.1:5150") is None
    assert require_settings(demo.id).api_token == "real-token"
    assert simulator(app).webhooks(1)[0]["url"] == "http://127.0.0.1:5000/api/webhooks/chatwoot"


def incoming(app, *options):
    return app.test_cli_runner().invoke(args=["chatwoot", "simulator", "incoming", "demo", *options])


def test_a_customer_writes_and_the_running_app_stores_and_processes_the_signed_webhook(app, demo):
    with served(app) as base:
        wire_demo(base)  # what `flask serve` does before it starts the simulator
        with SimulatorServer(simulator(app), port=SIMULATOR_PORT) as server:
            assert server.url == SIMULATOR_URL
            result = incoming(app, "--from", "55 1234 5678", "--text", "Confirmo mi cita", "--name", "Juan")
            assert result.exit_code == 0, result.output
            assert "+525512345678 wrote on inbox 2: contact 1, conversation" in result.output
            assert f"message_created -> {base}/api/webhooks/chatwoot: 200" in result.output
            db.session.expire_all()
            event = db.session.scalar(select(WebhookEvent).where(WebhookEvent.event == "message_created"))
            assert event is not None and event.signed and event.tenant_id == demo.id
            drain()
            db.session.expire_all()
            juan = db.session.scalar(select(Client).where(Client.tenant_id == demo.id, Client.first_name == "Juan"))
            assert juan.chatwoot_contact_id == "1"
            assert db.session.get(WebhookEvent, event.id).status == WebhookStatus.DONE
            attributes = server.sim.contact(1, 1)["custom_attributes"]
    assert attributes["client_id"] == juan.id and attributes["client_name"] == "Juan Pérez"
    logged = db.session.scalars(select(ChatwootInteraction).where(ChatwootInteraction.direction == "incoming"))
    assert [(i.content_preview, i.client_id) for i in logged] == [("Confirmo mi cita", juan.id)]
    assert "Confirmo mi cita" in [m["content"] for m in simulator(app).messages(1, event_conversation(event))]


def event_conversation(event: WebhookEvent) -> int:
    return json.loads(event.raw_body)["conversation"]["id"]


def test_incoming_says_why_nothing_was_delivered(app, demo):
    nobody = f"http://127.0.0.1:{free_port()}"
    wire_demo(nobody)
    with SimulatorServer(simulator(app), port=SIMULATOR_PORT):
        result = incoming(app, "--from", "+52 55 9999 0000", "--text", "Hola")
    assert result.exit_code == 1
    assert f"message_created -> {nobody}/api/webhooks/chatwoot: ConnectionError" in result.output
    assert "was not accepted" in result.output


def test_incoming_needs_the_simulator(app, demo):
    down = incoming(app, "--from", "+52 55 9999 0000", "--text", "Hola")
    assert down.exit_code == 1 and f"the simulator at {SIMULATOR_URL} did not answer" in down.output
    bad = incoming(app, "--from", "12", "--text", "Hola")
    assert bad.exit_code == 1 and "Error:" in bad.output
    settings, _ = tenant_rows(demo.id)
    settings.chatwoot_api_url = None
    db.session.commit()
    assert "missing api_url" in incoming(app, "--from", "+525599990000", "--text", "Hola").output


def test_a_broken_state_file_stops_the_simulator_with_the_reason(app, demo):
    with open(app.config["SIMULATOR_STATE_PATH"], "w", encoding="utf-8") as broken:
        broken.write("{")
    result = app.test_cli_runner().invoke(args=["chatwoot", "simulator", "--port", str(SIMULATOR_PORT)])
    assert result.exit_code == 1
    assert "chatwoot-simulator.json" in result.output and "move the file away" in result.output
