"""Browser tests: Debian's Chromium driven by pytest-playwright against the real app served over HTTP.

The app runs in a werkzeug server thread on a free port with its own SQLite file and queue; jobs run in a
worker thread that drains the Huey queue the way `flask worker` does (HUEY_IMMEDIATE stays off).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from app.extensions import db, huey
from app.models import Role
from app.services.accounts.tenants import create_tenant, create_user
from tests.conftest import PASSWORD, dispose_engines, make_app

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Debian's Chromium, headless, never a browser downloaded by `playwright install`."""
    return {"executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                  "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Salon staff in Mexico: the browser asks for Spanish (es-MX), as theirs does."""
    return {**browser_context_args, "locale": "es-MX", "timezone_id": "America/Mexico_City"}


@pytest.fixture(scope="session")
def base_url():
    """Shadows pytest-playwright's fallback fixture, an instance method that pytest 9 warns about (an error here)."""
    return None


@dataclass
class LiveApp:
    app: object
    url: str
    admin_email: str
    password: str


class Worker:
    """A queue consumer in a thread: delayed retries are moved back to the queue when due, then run."""

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="test-worker", daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            for task in huey.read_schedule():
                huey.enqueue(task)
            task = huey.dequeue()
            if task is None:
                self._stop.wait(0.05)
            else:
                huey.execute(task)

    def start(self) -> Worker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


@pytest.fixture
def live(tmp_path):
    """The real app on a free loopback port: tenant 'uno' and an administrator, nothing configured."""
    app = make_app(tmp_path, HUEY_IMMEDIATE=False)
    with app.app_context():
        db.create_all()
        create_tenant("Salón Uno", slug="uno")
        create_user("admin@example.com", PASSWORD, role=Role.ADMIN)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["APP_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"  # the webhook URLs Settings shows
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    worker = Worker().start()
    yield LiveApp(app, f"http://127.0.0.1:{server.server_port}", "admin@example.com", PASSWORD)
    worker.stop()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        dispose_engines()
