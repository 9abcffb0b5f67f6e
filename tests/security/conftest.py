"""Fixtures for the attack tests: counted password checks, a booking-API client per tenant, and a tiny
HTTP listener on loopback that records what reaches it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.extensions import db
from app.services.settings.api_keys import create_api_key


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash the login verifies, whichever thread verifies it."""
    import app.models.user as user_module

    checks, lock, real = [], threading.Lock(), user_module.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        with lock:
            checks.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(user_module, "check_password_hash", counting)
    return checks


class Api:
    """The booking-system API as one tenant's key sees it."""

    def __init__(self, app, key: str):
        self.http = app.test_client()
        self.headers = {"Authorization": f"Bearer {key}"}

    def put(self, url, json=None, **kw):
        return self.http.put(url, json=json, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, url, json=None, **kw):
        return self.http.post(url, json=json, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def get(self, url):
        return self.http.get(url, headers=self.headers)


def api_for(app, tenant) -> Api:
    _key, plaintext = create_api_key(tenant, "tests")
    db.session.commit()
    return Api(app, plaintext)


@pytest.fixture
def api(app, tenant):
    return api_for(app, tenant)


@pytest.fixture
def other_api(app, other_tenant):
    return api_for(app, other_tenant)


@dataclass
class Listener:
    """An HTTP server on 127.0.0.1 that records every request and answers with `status`, `headers`, `body`."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"{}"
    seen: list[dict] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def answer(self, status: int, body: object = None, **headers: str) -> None:
        self.status, self.headers = status, headers
        self.body = body if isinstance(body, bytes) else json.dumps(body or {}).encode()

    def tokens(self) -> list[str | None]:
        return [request["headers"].get("api_access_token") for request in self.seen]


def _handler(listener: Listener) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            listener.seen.append({"path": self.path, "headers": dict(self.headers)})
            self.send_response(listener.status)
            for name, value in {"Content-Type": "application/json", **listener.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(listener.body)))
            self.end_headers()
            self.wfile.write(listener.body)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def listen():
    """Start listeners on demand: `listen()` returns a running Listener; all stop after the test."""
    started: list[Listener] = []

    def start() -> Listener:
        listener = Listener()
        listener.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(listener))
        threading.Thread(target=listener.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        started.append(listener)
        return listener

    yield start
    for listener in started:
        listener.server.shutdown()
        listener.server.server_close()
