"""The per-process webhook receiver cache never outlives a change: two real web processes on one SQLite
file; a secret rotated through one is enforced by it at once and by the other once the lifetime passes."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import time

import pytest
import requests
from cryptography.fernet import Fernet

from tests.fixtures.processes import ROOT, free_port

OLD, NEW = "old-secret-123456", "new-secret-654321"
LIFETIME = 2.0
SETUP = f"""
from sqlalchemy import select
from app import create_app
from app.extensions import db
from app.models import ChatwootConfig, NotificationSettings, Role
from app.services.accounts.tenants import create_tenant, create_user
with create_app().app_context():
    db.create_all()
    tenant = create_tenant("Uno", slug="uno")
    db.session.scalar(select(NotificationSettings).filter_by(tenant_id=tenant.id)).chatwoot_account_id = "1"
    db.session.scalar(select(ChatwootConfig).filter_by(tenant_id=tenant.id)).webhook_secret = {OLD!r}
    create_user("admin@example.com", "correct horse battery", role=Role.ADMIN)
    db.session.commit()
"""


def _serve(env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "app:create_app()"], env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a loaded machine can take a while to import the app
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            requests.get(url + "/api/webhooks/chatwoot", timeout=2)
            return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the web process did not start")


_next_id = iter(range(1000, 10**6))


def _deliver(url: str, secret: str) -> int:
    body = json.dumps({"event": "message_created", "id": next(_next_id), "message_type": "incoming",
                       "content": "Hola", "account": {"id": 1}, "conversation": {"id": 7, "inbox_id": 3}}).encode()
    stamp = str(int(time.time()))
    signature = "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return requests.post(url + "/api/webhooks/chatwoot", data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Signature": signature,
    }).status_code


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _rotate_through_dashboard(url: str, secret: str) -> None:
    http = requests.Session()
    http.post(url + "/login", data={"email": "admin@example.com", "password": "correct horse battery",
                                    "csrf_token": _csrf(http.get(url + "/login", timeout=10).text)}, timeout=30)
    page = http.get(url + "/t/uno/settings/", timeout=10)
    saved = http.post(url + "/t/uno/settings/webhook-secret", data={"secret": secret, "csrf_token": _csrf(page.text)},
                      allow_redirects=False, timeout=30)
    assert saved.status_code == 302, saved.text[:500]


@pytest.mark.timeout(300)
def test_a_rotated_secret_is_enforced_at_once_here_and_within_the_lifetime_elsewhere(tmp_path):
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/app.db",
           "SECRET_KEY": "test", "ENCRYPTION_KEYS": Fernet.generate_key().decode(), "APP_ENV": "development",
           "RECEIVER_CACHE_SECONDS": str(LIFETIME)}
    for name in ("REDIS_URL", "CHATWOOT_ACCOUNT_ID", "CHATWOOT_WEBHOOK_SECRET"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=ROOT, check=True)
    first, first_url = _serve(env)
    other, other_url = _serve(env)
    try:
        # Both processes have now cached the receiver with the old secret.
        assert _deliver(first_url, OLD) == 200
        assert _deliver(other_url, OLD) == 200
        _rotate_through_dashboard(first_url, NEW)
        rotated_at = time.monotonic()
        assert _deliver(first_url, OLD) == 401  # the process that saved it: at once
        assert _deliver(first_url, NEW) == 200
        answers = []
        while time.monotonic() - rotated_at < LIFETIME + 1:
            sent_at = time.monotonic() - rotated_at
            answers.append((sent_at, _deliver(other_url, OLD)))
            time.sleep(0.2)
        # The other process may take the old secret for a while, never once the lifetime has passed.
        assert all(code == 401 for sent_at, code in answers if sent_at > LIFETIME)
        assert all(code in (200, 401) for _, code in answers)
        assert _deliver(other_url, NEW) == 200
    finally:
        for proc in (first, other):
            proc.terminate()
            proc.wait(30)
