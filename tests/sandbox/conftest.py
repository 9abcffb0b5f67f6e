"""Fixtures for the Chatwoot simulator tests: one HTTP server per module, fresh state per test."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.sandbox import ChatwootSimulator, SimulatorServer, make_template
from app.sandbox.server import QuietHandler

ADMIN, AGENT, OUTSIDER, BOT = "tok-admin", "tok-agent", "tok-outsider", "bot-tok"
ACCOUNT, OTHER_ACCOUNT = 1, 2
API_INBOX, WHATSAPP_INBOX, HIDDEN_INBOX = 7, 3, 9
# Hand-written Chatwoot v4.15.1 payloads and API examples (see the README there).
PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "chatwoot_payloads"


class Api:
    """A tiny client for account 1 of the simulator."""

    def __init__(self, server: SimulatorServer, token: str | None = ADMIN, account_id: int = ACCOUNT):
        self.server, self.token, self.account_id = server, token, account_id
        self.session = requests.Session()

    def as_(self, token: str | None, account_id: int = ACCOUNT) -> Api:
        """The same client with another token (None: no header) or account."""
        return Api(self.server, token, account_id)

    def url(self, path: str) -> str:
        """Account paths start with '/', absolute API paths with '/api'."""
        prefix = "" if path.startswith("/api") else f"/api/v1/accounts/{self.account_id}"
        return self.server.url + prefix + path

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send with the `api_access_token` header, as Chatwoot's docs spell it."""
        headers = kwargs.pop("headers", {})
        if self.token is not None:
            headers.setdefault("api_access_token", self.token)
        return self.session.request(method, self.url(path), headers=headers, timeout=10, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)


def seed(sim: ChatwootSimulator) -> None:
    """Two accounts, an admin, an agent (member of the API inbox only), a bot and three inboxes."""
    sim.add_account(account_id=ACCOUNT, name="Acme MX")
    sim.add_account(account_id=OTHER_ACCOUNT, name="Otra Cuenta")
    sim.add_user(ADMIN, [ACCOUNT], "administrator", "Carlos Ruiz", email="carlos@acme.mx")
    sim.add_user(AGENT, [ACCOUNT], "agent", "Ana Agente")
    sim.add_user(OUTSIDER, [OTHER_ACCOUNT], "administrator", "Otro Admin")
    sim.add_bot_token(BOT, account_id=ACCOUNT)
    templates = [make_template("seguimiento_lead"), make_template("borrador", status="PENDING")]
    sim.add_inbox(ACCOUNT, "WhatsApp Ventas", "Channel::Whatsapp", inbox_id=WHATSAPP_INBOX,
                  phone_number="+525598765432", message_templates=templates)
    sim.add_inbox(ACCOUNT, "Integración CRM", "Channel::Api", inbox_id=API_INBOX, members=[AGENT])
    sim.add_inbox(ACCOUNT, "Web", "Channel::WebWidget", inbox_id=HIDDEN_INBOX)


@pytest.fixture(scope="module")
def sim_server() -> Iterator[SimulatorServer]:
    """The simulator over real HTTP for the whole module."""
    with SimulatorServer(ChatwootSimulator()) as server:
        yield server


@pytest.fixture
def sim(sim_server: SimulatorServer) -> ChatwootSimulator:
    """The served simulator, reset and seeded, on the real clock."""
    simulator = sim_server.sim
    simulator.reset()
    simulator.clock = time.time
    simulator.auto_deliver = False
    seed(simulator)
    return simulator


@pytest.fixture
def api(sim: ChatwootSimulator, sim_server: SimulatorServer) -> Api:
    """A client holding the administrator token."""
    return Api(sim_server)


@dataclass
class Receiver:
    """A local HTTP endpoint that records webhook POSTs."""

    url: str = ""
    status: int = 200
    received: list[dict[str, Any]] = field(default_factory=list)

    def events(self) -> list[str]:
        """The `event` of every body received so far."""
        return [json.loads(item["body"])["event"] for item in self.received]

    def wait_for(self, count: int, timeout: float = 5.0) -> None:
        """Block until `count` requests arrived."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free loopback port."""
    state = Receiver()

    @Request.application
    def capture(request: Request) -> Response:
        state.received.append({"headers": dict(request.headers), "body": request.get_data()})
        return Response("ok", status=state.status)

    server = make_server("127.0.0.1", 0, capture, threaded=True, request_handler=QuietHandler)
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def create_contact(api: Api, **fields: Any) -> dict[str, Any]:
    """POST /contacts and return the created contact."""
    response = api.post("/contacts", json=fields)
    assert response.status_code == 200, response.text
    return response.json()["payload"]["contact"]


FREE_FORM = {"custom_attributes", "additional_attributes", "content_attributes", "sentiment",
             "external_source_ids", "changed_attributes"}


def assert_same_shape(expected: Any, actual: Any, path: str = "$") -> None:
    """Same keys at every level (first list item), same JSON types wherever both values are set."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        missing, extra = set(expected) - set(actual), set(actual) - set(expected)
        assert not missing and not extra, f"{path}: missing {missing}, extra {extra}"
        for key, value in expected.items():
            if key not in FREE_FORM:
                assert_same_shape(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), path
        if expected:
            assert actual, f"{path} is empty"
            assert_same_shape(expected[0], actual[0], f"{path}[0]")
    elif expected is not None and actual is not None:
        assert type(actual) is type(expected), f"{path}: {type(actual).__name__} != {type(expected).__name__}"


def start_conversation(api: Api, inbox_id: int, contact_id: int, **extra: Any) -> dict[str, Any]:
    """POST /conversations and return the conversation."""
    response = api.post("/conversations", json={"inbox_id": inbox_id, "contact_id": contact_id, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def load_payload(name: str) -> dict[str, Any]:
    """One of the reference webhook payloads."""
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def api_examples() -> list[Any]:
    """Every JSON block of `api_examples.md`, in order."""
    text = (PAYLOADS / "api_examples.md").read_text(encoding="utf-8")
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]
