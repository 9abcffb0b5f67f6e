"""The booking callback: a confirmation made in the conversation is POSTed signed to a real local listener."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.jobs.automations import deliver_booking_callback
from app.models import AutomationSettings, CallbackDelivery
from app.services.automations.settings import automation_settings
from tests.automations.scenario import customer_writes, remind
from tests.automations.test_pages import form as page_form
from tests.fixtures.webhooks import drain

CALLBACK_SECRET = "cb-secreto-123"


class Listener(BaseHTTPRequestHandler):
    """Answers with the next queued status and records every request."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        code = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(code)
        if 300 <= code < 400:
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/elsewhere")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def booking_system():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    server.received, server.statuses = [], []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_confirmation_is_posted_signed_and_retried_after_a_500(salon, chatwoot, booking_system):
    settings = automation_settings(salon.id)
    settings.callback_url = f"http://127.0.0.1:{booking_system.server_port}/citaplanner/hook"
    settings.callback_secret = CALLBACK_SECRET
    db.session.commit()
    booking_system.statuses = [500]
    remind()
    customer_writes(chatwoot, "Sí")
    row = db.session.scalar(select(CallbackDelivery))
    assert row.status == "pending" and row.attempts == 1 and row.response_status == 500
    assert row.next_attempt_at > datetime.now(UTC)
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        deliver_booking_callback(row.id)  # what the scheduled retry does when it is due
        drain()
    db.session.expire_all()
    row = db.session.get(CallbackDelivery, row.id)
    assert row.status == "delivered" and row.attempts == 2 and row.response_status == 200
    assert len(booking_system.received) == 2
    headers, body = booking_system.received[-1]
    stamp = headers["X-CitaPlanner-Timestamp"]
    expected = hmac.new(CALLBACK_SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-CitaPlanner-Signature"] == f"sha256={expected}"
    sent = json.loads(body)
    assert sent["event"] == "appointment.confirmed" and sent["appointment_id"] == "appt-1"
    assert sent["status"] == "confirmed" and sent["at"]
    assert drain() == 0  # nothing more to send


def test_a_delivery_failing_for_24_hours_is_marked_failed(salon, chatwoot, booking_system):
    settings = automation_settings(salon.id)
    settings.callback_url = f"http://127.0.0.1:{booking_system.server_port}/hook"
    db.session.commit()
    booking_system.statuses = [503] * 20
    remind()
    customer_writes(chatwoot, "2")
    row = db.session.scalar(select(CallbackDelivery))
    while row.status == "pending":
        with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
            deliver_booking_callback(row.id)  # what the scheduled retry does when it is due
            drain()
        db.session.expire_all()
        row = db.session.get(CallbackDelivery, row.id)
    assert row.status == "failed" and "503" in row.last_error and row.next_attempt_at is None
    assert row.updated_at - row.created_at <= timedelta(hours=24)
    assert 3 < len(booking_system.received) < 20


def _first_attempt_fails(salon, chatwoot, booking_system, status: int) -> CallbackDelivery:
    settings = automation_settings(salon.id)
    settings.callback_url = f"http://127.0.0.1:{booking_system.server_port}/hook"
    db.session.commit()
    booking_system.statuses = [status]
    remind()
    customer_writes(chatwoot, "Sí")
    return db.session.scalar(select(CallbackDelivery))


def test_a_redirect_is_a_failed_attempt_naming_where_it_pointed(salon, chatwoot, booking_system):
    row = _first_attempt_fails(salon, chatwoot, booking_system, 302)
    assert row.status == "pending" and row.response_status == 302
    assert "redirects are not followed" in row.last_error and "/elsewhere" in row.last_error
    assert [headers["Host"] for headers, _body in booking_system.received] == [
        f"127.0.0.1:{booking_system.server_port}"]  # one request: the redirect was not followed


def test_with_private_networks_off_a_delivery_to_a_private_address_is_refused_unsent(app, salon, chatwoot,
                                                                                    booking_system):
    row = _first_attempt_fails(salon, chatwoot, booking_system, 500)
    app.config["CHATWOOT_ALLOW_PRIVATE_NETWORK"] = False  # a URL stored before the rule was switched on
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        deliver_booking_callback(row.id)
        drain()
    db.session.expire_all()
    row = db.session.get(CallbackDelivery, row.id)
    assert row.attempts == 2 and row.response_status is None
    assert row.last_error.startswith("refused: 127.0.0.1 resolves to 127.0.0.1")
    assert len(booking_system.received) == 1  # only the first attempt, made while the rule was off


def test_with_private_networks_off_a_private_callback_url_is_refused_when_saved(app, admin, tenant):
    app.config["CHATWOOT_ALLOW_PRIVATE_NETWORK"] = False
    response = admin.post("/t/uno/settings/automations", page_form(callback_url="http://10.0.0.8/hook"))
    assert response.status_code == 422 and "red privada o local" in response.text
    assert db.session.query(AutomationSettings).count() == 0  # nothing of the form was stored
