"""Fault injection, the request log and the server lifecycle."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from app.sandbox import ChatwootSimulator, SimulatorServer

from .conftest import ADMIN


def test_fail_next_then_recovers(api, sim):
    sim.fail_next(2)
    first = api.get("/contacts")
    assert first.status_code == 500 and first.json() == {"status": 500, "error": "Internal Server Error"}
    assert api.get("/contacts").status_code == 500
    assert api.get("/contacts").status_code == 200


def test_fail_next_custom_body_and_path_filter(api, sim):
    sim.fail_next(1, status=502, body="Bad Gateway", path_contains="/contacts/search")
    sim.fail_next(1, status=422, body={"error": "boom"}, path_contains="/conversations")
    assert api.get("/contacts").status_code == 200
    search = api.get("/contacts/search?q=x")
    assert (search.status_code, search.text) == (502, "Bad Gateway")
    conversation = api.post("/conversations", json={})
    assert (conversation.status_code, conversation.json()) == (422, {"error": "boom"})
    assert api.get("/contacts/search?q=x").status_code == 200


def test_faults_apply_before_authentication(api, sim):
    sim.fail_next(1, status=503)
    assert api.as_(None).get("/contacts").status_code == 503


def test_hold_blocks_matching_calls_until_released(api, sim):
    hold = sim.hold("/contacts/", method="PUT")
    answers = []
    caller = threading.Thread(target=lambda: answers.append(api.put("/contacts/1", json={"name": "x"})))
    caller.start()
    assert hold.wait_arrived(5)
    assert api.get("/inboxes").status_code == 200  # other calls still flow
    caller.join(0.3)
    assert caller.is_alive() and answers == []
    hold.release()
    caller.join(5)
    assert [a.status_code for a in answers] == [404]  # answered normally once released (no contact 1)
    assert api.put("/contacts/1", json={"name": "x"}).status_code == 404  # a released hold holds no more


def test_latency_is_real_time(api, sim):
    sim.set_latency(0.3, path_contains="/contacts")
    started = time.monotonic()
    assert api.get("/contacts").status_code == 200
    assert time.monotonic() - started >= 0.3
    with pytest.raises(requests.ReadTimeout):
        requests.get(api.url("/contacts"), headers={"api_access_token": ADMIN}, timeout=0.1)
    started = time.monotonic()
    api.get("/inboxes")
    assert time.monotonic() - started < 0.3
    sim.set_latency(0)


def test_down_answers_503_html(api, sim):
    sim.set_down(True)
    response = api.get("/contacts")
    assert response.status_code == 503 and "Service Unavailable" in response.text
    assert response.headers["Content-Type"].startswith("text/html")
    sim.set_down(False)
    assert api.get("/contacts").status_code == 200


def test_rate_limit_next(api, sim):
    sim.rate_limit_next(2)
    for _ in range(2):
        response = api.get("/api/v1/profile")
        assert (response.status_code, response.text) == (429, "Retry later\n")
        assert "Retry-After" not in response.headers
    assert api.get("/api/v1/profile").status_code == 200


def test_request_log_never_keeps_the_token(api, sim):
    sim.clear_log()
    api.post("/contacts", params={"x": "1"}, json={"name": "Ana", "email": "ana@example.mx"})
    api.as_(None).get("/contacts")
    first, second = sim.request_log
    assert (first.method, first.path, first.query, first.status) == ("POST", "/api/v1/accounts/1/contacts",
                                                                     {"x": "1"}, 200)
    assert first.json == {"name": "Ana", "email": "ana@example.mx"} and first.token_present is True
    assert second.token_present is False and second.status == 401
    assert ADMIN not in repr(sim.request_log)
    assert sim.count() == 2 and sim.count("post") == 1 and sim.count(path_contains="/contacts") == 2
    sim.clear_log()
    assert sim.count() == 0


def test_stop_refuses_connections_and_start_reuses_the_port():
    sim = ChatwootSimulator()
    sim.add_account(account_id=1, name="Acme")
    sim.add_user(ADMIN, [1])
    server = SimulatorServer(sim).start()
    url, session = server.url, requests.Session()
    headers = {"api_access_token": ADMIN}
    assert session.get(url + "/api/v1/profile", headers=headers, timeout=5).status_code == 200
    server.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(url + "/api/v1/profile", headers=headers, timeout=5)
    server.start()
    try:
        assert server.url == url
        assert session.get(url + "/api/v1/profile", headers=headers, timeout=5).status_code == 200
    finally:
        server.stop()


def test_server_is_a_context_manager():
    with SimulatorServer(ChatwootSimulator()) as server:
        assert server.running and server.url.startswith("http://127.0.0.1:")
        assert requests.get(server.url + "/api/v1/profile", timeout=5).status_code == 401
    assert not server.running
