"""Webhook acknowledgements per second: our POST /api/webhooks/chatwoot against a bare Flask endpoint,
both under the same gunicorn settings on loopback, driven by the same bounded load generator in one run.

Each request is a signed message_created with a fresh message id, so every one is verified, stored in
webhook_events and enqueued (no worker runs, so processing does not compete for the CPU).

Run: python -m bench webhooks [--seconds 6] [--rounds 6] [--threads 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-webhook-secret"
PATH = "/api/webhooks/chatwoot"


def bare_app():
    """The baseline: a Flask app whose POST answers like ours without doing anything."""
    from flask import Flask, jsonify, request

    app = Flask("bare")

    @app.route(PATH, methods=["GET", "POST"])
    def receive():
        request.get_data()
        return jsonify(success=True, status="accepted")

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database() -> None:
    """Schema and one tenant owning Chatwoot account 1 with a webhook secret (run in a child: its own env)."""
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import ChatwootConfig, NotificationSettings
    from app.services.accounts.tenants import create_tenant

    with create_app().app_context():
        db.create_all()
        tenant = create_tenant("Bench")
        db.session.scalar(select(NotificationSettings).filter_by(tenant_id=tenant.id)).chatwoot_account_id = "1"
        db.session.scalar(select(ChatwootConfig).filter_by(tenant_id=tenant.id)).webhook_secret = SECRET
        db.session.commit()


def prepare(env: dict) -> None:
    script = "from bench.webhooks import prepare_database; prepare_database()"
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True)


@contextlib.contextmanager
def gunicorn(target: str, env: dict, workers: int):
    """gunicorn on a free loopback port (sync workers); yields the base URL once it answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "sync", "-b",
                             f"127.0.0.1:{port}", "--log-level", "warning", target], env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded machine can take a while to import the app
        while True:
            try:
                if requests.get(url + PATH, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"gunicorn {target} did not start")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(60)


def signed(message_id: int) -> tuple[bytes, dict]:
    body = json.dumps({"event": "message_created", "id": message_id, "message_type": "incoming",
                       "content": "Hola", "account": {"id": 1, "name": "Bench"},
                       "conversation": {"id": 7, "inbox_id": 3, "meta": {"sender": {
                           "id": 42, "name": "María", "phone_number": "+525512345678"}}}},
                      separators=(",", ":")).encode()
    stamp = str(int(time.time()))
    sig = "sha256=" + hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Signature": sig}


def load(url: str, seconds: float, threads: int, first_id: int) -> tuple[int, int]:
    """(acknowledged, failed) POSTs over `seconds` with `threads` concurrent clients."""
    counter, lock, stop = [first_id], threading.Lock(), time.monotonic() + seconds
    results = {"ok": 0, "failed": 0}

    def client():
        session, ok, failed = requests.Session(), 0, 0
        while time.monotonic() < stop:
            with lock:
                counter[0] += 1
                message_id = counter[0]
            body, headers = signed(message_id)
            try:
                answer = session.post(url + PATH, data=body, headers=headers, timeout=10)
                good = answer.status_code == 200 and answer.json().get("status") == "accepted"
            except requests.RequestException:
                good = False
            ok, failed = ok + good, failed + (not good)
        with lock:
            results["ok"] += ok
            results["failed"] += failed

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results["ok"], results["failed"]


def stored_rows(db_path: Path) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return conn.execute("SELECT count(*) FROM webhook_events").fetchone()[0]


def measure(urls: dict[str, str], seconds: float, threads: int, rounds: int) -> dict[str, tuple[int, int]]:
    """(ok, failed) per target; short alternating rounds, so a load change on the machine hits both alike."""
    totals = {label: (0, 0) for label in urls}
    for label, url in urls.items():
        load(url, 0.5, threads, 10_000_000 + 1_000_000 * len(label))  # warm-up
    for n in range(rounds):
        for label, url in urls.items():
            ok, failed = load(url, seconds / rounds, threads, 20_000_000 + 1_000_000 * n + 100_000 * len(label))
            totals[label] = (totals[label][0] + ok, totals[label][1] + failed)
    return totals


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench webhooks", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="load time per target")
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds the time is split into")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        env = {**os.environ, "INSTANCE_PATH": tmp, "DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": "bench",
               "ENCRYPTION_KEYS": Fernet.generate_key().decode(), "APP_ENV": "development"}
        for name in ("REDIS_URL", "CHATWOOT_ACCOUNT_ID", "CHATWOOT_WEBHOOK_SECRET"):
            env.pop(name, None)
        prepare(env)
        with gunicorn("bench.webhooks:bare_app()", env, args.workers) as bare, \
                gunicorn("app:create_app()", env, args.workers) as ours:
            totals = measure({"bare Flask": bare, "webhook": ours}, args.seconds, args.threads, args.rounds)
        rows = stored_rows(db_path)
    for label, (ok, failed) in totals.items():
        print(f"{label:>10}: {ok / args.seconds:8.0f} acknowledgements/s  ({ok} ok, {failed} failed; gunicorn -w "
              f"{args.workers} -k sync, {args.threads} client threads, {args.seconds:g} s in {args.rounds} rounds)")
    ratio = totals["webhook"][0] / max(totals["bare Flask"][0], 1)
    print(f"     ratio: {ratio:.2f} of bare Flask ({rows} webhook_events rows stored: one per acknowledgement, "
          "warm-up included)")
    return 1 if any(failed for _, failed in totals.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
