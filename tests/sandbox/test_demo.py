"""The demo simulator and the blocking `serve()` used by `flask chatwoot simulator`."""

from __future__ import annotations

import threading
import time

import requests

from app.sandbox import DEMO_TOKEN, SimulatorServer, create_simulator_app, demo_simulator, serve
from tests.fixtures.processes import free_port


def test_demo_data():
    sim = demo_simulator()
    contacts = sim.contacts(1)
    assert 8 <= len(contacts) <= 12
    phones = [c["phone_number"] for c in contacts if c["phone_number"]]
    assert all(phone.startswith("+52") for phone in phones)
    assert any(phone.startswith("+521") for phone in phones)
    assert any(phone.startswith("+52") and not phone.startswith("+521") for phone in phones)
    assert sim.conversations(1)[0]["can_reply"] is True


def test_demo_over_http():
    with SimulatorServer(demo_simulator()) as server:
        headers = {"api_access_token": DEMO_TOKEN}
        profile = requests.get(server.url + "/api/v1/profile", headers=headers, timeout=5).json()
        assert profile["accounts"][0]["name"] == "Salón Demo (simulador)"
        inboxes = requests.get(server.url + "/api/v1/accounts/1/inboxes", headers=headers, timeout=5).json()
        by_id = {inbox["id"]: inbox for inbox in inboxes["payload"]}
        assert by_id[1]["channel_type"] == "Channel::Api"
        assert by_id[2]["channel_type"] == "Channel::Whatsapp"
        template = by_id[2]["message_templates"][0]
        assert (template["name"], template["language"], template["status"]) == ("recordatorio_cita", "es_MX",
                                                                                "APPROVED")


def test_serve_blocks_and_answers():
    port = free_port()
    threading.Thread(target=serve, args=("127.0.0.1", port, demo_simulator()), daemon=True).start()
    url = f"http://127.0.0.1:{port}/api/v1/profile"
    deadline = time.monotonic() + 5
    while True:
        try:
            response = requests.get(url, headers={"api_access_token": DEMO_TOKEN}, timeout=1)
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert response.status_code == 200


def test_app_factory_works_without_a_server():
    client = create_simulator_app(demo_simulator()).test_client()
    response = client.get("/api/v1/accounts/1/contacts", headers={"api_access_token": DEMO_TOKEN})
    assert response.status_code == 200 and response.json["meta"]["count"] == 10


def test_reset_forgets_everything():
    sim = demo_simulator()
    sim.fail_next(1)
    sim.reset()
    assert sim.contacts(1) == [] and sim.conversations(1) == [] and sim.request_log == []
    assert sim.faults.rules == []
