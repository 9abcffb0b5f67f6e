"""Webhook acknowledgements per second: our POST /api/webhooks/chatwoot against a bare Flask endpoint,
both under the same gunicorn settings on loopback, driven by wrk (a C load generator) in alternating rounds.

Each request is a signed message_created with a fresh message id (signed beforehand: wrk's Lua has no
HMAC), so every one is verified, stored in webhook_events and enqueued (no worker runs, so processing does
not compete for the CPU). Judged by the ratio to bare Flask (target >= 0.5, p99 < 50 ms) on SQLite and, when
BENCH_DATABASE_URL and BENCH_REDIS_URL are set (a throwaway PostgreSQL database, EMPTIED, and Redis), on
PostgreSQL + Redis. A third target, the floor, does only the INSERT and the enqueue: it shows how much of
the gap to bare Flask is the database and the queue on this machine rather than our code. Without wrk a
Python load generator runs instead; it saturates before the server does, so its figures say more about the
client than about the endpoint.

Run: python -m bench webhooks [--seconds 10] [--rounds 5] [--connections 8] [--workers 2] [--backend both]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from cryptography.fernet import Fernet

from bench import cpu

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


FLOOR_KEY = "floor:"


def floor_app():
    """The floor under any durable acknowledgement: the bare endpoint plus the one INSERT of a webhook row
    (autocommitted, straight through the driver) and the one enqueue on the same Huey storage as ours, with
    none of the checks (size, JSON, tenant, signature, dedupe). Ours cannot beat it on the same back end, so
    ours / floor says what the checks cost and floor / bare what the database and queue cost on this machine."""
    from flask import Flask, jsonify, request

    app, state = Flask("floor"), {}

    @app.route(PATH, methods=["GET", "POST"])
    def receive():
        body = request.get_data()
        if request.method == "GET":  # the start-up probe
            return jsonify(success=True)
        if not state:  # after gunicorn forks: a connection per worker
            state.update(_floor_backend())
        row_id = uuid.uuid4().hex
        state["cursor"].execute(state["sql"], (row_id, state["tenant"], FLOOR_KEY + row_id, state["now"](),
                                               body.decode()))
        state["queue"].enqueue(pickle.dumps(("process_webhook_event", row_id)))
        return jsonify(success=True, status="accepted")

    return app


def _floor_backend() -> dict:
    from huey.storage import RedisStorage, SqliteStorage
    from sqlalchemy import create_engine

    from app.config import INTAKE_BIND, database_binds
    from app.models.events import configure_engine

    # The app's own intake engine: autocommit, and on SQLite the app's connection pragmas.
    engine = create_engine(**database_binds(os.environ["DATABASE_URL"])[INTAKE_BIND])
    configure_engine(engine, busy_timeout_ms=5000, autocommit=True)
    connection = engine.raw_connection().dbapi_connection
    sqlite = engine.dialect.name == "sqlite"
    cursor = connection.cursor()
    cursor.execute("SELECT id FROM tenants")
    mark = "?" if sqlite else "%s"
    sql = ("INSERT INTO webhook_events (id, tenant_id, event, dedupe_key, received_at, raw_body, signed, status, "
           f"attempts) VALUES ({mark}, {mark}, 'message_created', {mark}, {mark}, {mark}, TRUE, 'pending', 0)")
    redis_url = os.environ.get("REDIS_URL")
    queue = RedisStorage("floor", url=redis_url) if redis_url else \
        SqliteStorage("floor", filename=str(Path(os.environ["INSTANCE_PATH"]) / "floor-queue.db"), fsync=False)
    now = (lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")) if sqlite else (lambda: datetime.now(UTC))
    return {"cursor": cursor, "tenant": cursor.fetchone()[0], "sql": sql, "queue": queue, "now": now}


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
        db.drop_all()  # a PostgreSQL bench database is reused between runs: start empty
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


def signed(message_id: int, stamp: str) -> tuple[bytes, str]:
    body = json.dumps({"event": "message_created", "id": message_id, "message_type": "incoming",
                       "content": "Hola", "account": {"id": 1, "name": "Bench"},
                       "conversation": {"id": 7, "inbox_id": 3, "meta": {"sender": {
                           "id": 42, "name": "María", "phone_number": "+525512345678"}}}},
                      separators=(",", ":"), ensure_ascii=True).encode()
    return body, "sha256=" + hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def headers(stamp: str, signature: str) -> dict:
    return {"Content-Type": "application/json", "X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Signature": signature}


# --- wrk ---------------------------------------------------------------------------------------------

def write_bodies(path: Path, count: int, first_id: int) -> None:
    """`count` signed deliveries, one a line, for webhooks.lua (signed now: valid for 5 minutes)."""
    stamp = str(int(time.time()))
    with path.open("w") as file:
        for message_id in range(first_id, first_id + count):
            body, signature = signed(message_id, stamp)
            file.write(f"{stamp} {signature} {body.decode()}\n")


def wrk(url: str, seconds: float, connections: int, bodies: Path, first: int, count: int) -> dict:
    """One wrk run replaying lines first+1..first+count; its summary (requests, non_2xx, p50_us, p99_us...)."""
    done = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s",
                           str(ROOT / "bench" / "webhooks.lua"), url + PATH, "--", str(bodies), str(first), str(count)],
                          capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRK "))
    return json.loads(line[4:])


def measure_wrk(urls: dict[str, str], args, bodies: Path) -> dict[str, dict]:
    """Per target: requests, 2xx, failures, seconds and the worst round's p50/p99, over alternating rounds.

    Every round of ours replays its own slice of the bodies, large enough never to wrap, so each 2xx is a
    new delivery; the bare endpoint stores nothing and replays the first slice.
    """
    per_round = args.seconds / args.rounds
    totals = {label: {"requests": 0, "ok": 0, "failed": 0, "seconds": 0.0, "p50_ms": 0.0, "p99_ms": 0.0,
                      "wrapped": False, "cpu": {}} for label in urls}
    for label, url in urls.items():  # warm-up, on its own slice
        _add(totals[label], wrk(url, 1, args.connections, bodies, 0, args.slice), args.slice, counted=False)
    for n in range(args.rounds):
        for label, url in urls.items():
            first, before = args.slice * (n + 1) if label == "webhook" else 0, cpu.sample(url)
            _add(totals[label], wrk(url, per_round, args.connections, bodies, first, args.slice), args.slice)
            for group, seconds in cpu.used_between(before, cpu.sample(url)).items():
                totals[label]["cpu"][group] = totals[label]["cpu"].get(group, 0.0) + seconds
    return totals


def _add(total: dict, run: dict, slice_size: int, counted: bool = True) -> None:
    ok = run["requests"] - run["non_2xx"]
    total["acknowledged"] = total.get("acknowledged", 0) + ok  # warm-up included: its rows are stored too
    total["wrapped"] |= run["requests"] > slice_size
    if not counted:
        return
    total["requests"] += run["requests"]
    total["ok"] += ok
    total["failed"] += run["non_2xx"] + run["socket_errors"]
    total["seconds"] += run["duration_us"] / 1e6
    total["p50_ms"] = max(total["p50_ms"], run["p50_us"] / 1000)
    total["p99_ms"] = max(total["p99_ms"], run["p99_us"] / 1000)


# --- the fallback: a Python load generator (client-bound) --------------------------------------------

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
            stamp = str(int(time.time()))
            body, signature = signed(message_id, stamp)
            try:
                answer = session.post(url + PATH, data=body, headers=headers(stamp, signature), timeout=10)
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


def measure_python(urls: dict[str, str], args) -> dict[str, dict]:
    totals = {label: {"requests": 0, "ok": 0, "failed": 0, "seconds": args.seconds, "acknowledged": 0}
              for label in urls}
    for n in range(args.rounds + 1):  # round 0 warms up
        for label, url in urls.items():
            ok, failed = load(url, 0.5 if n == 0 else args.seconds / args.rounds, args.connections,
                              10_000_000 * (n + 1) + 1_000_000 * len(label))
            total = totals[label]
            total["acknowledged"] += ok
            if n:
                total["ok"], total["failed"], total["requests"] = total["ok"] + ok, total["failed"] + failed, \
                    total["requests"] + ok + failed
    return totals


# --- one back end ------------------------------------------------------------------------------------

def stored(database_url: str) -> tuple[int, int]:
    """(webhook_events rows, distinct dedupe keys) stored by our endpoint (the floor's rows left out)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text("SELECT count(*), count(DISTINCT dedupe_key) FROM webhook_events "
                                           "WHERE dedupe_key NOT LIKE :floor"), {"floor": FLOOR_KEY + "%"}).one())
    finally:
        engine.dispose()


def run_backend(name: str, database_url: str, redis_url: str | None, args, tmp: Path) -> dict:
    env = {**os.environ, "INSTANCE_PATH": str(tmp), "DATABASE_URL": database_url, "SECRET_KEY": "bench",
           "ENCRYPTION_KEYS": Fernet.generate_key().decode(), "APP_ENV": "development"}
    for key in ("REDIS_URL", "CHATWOOT_ACCOUNT_ID", "CHATWOOT_WEBHOOK_SECRET"):
        env.pop(key, None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    prepare(env)
    use_wrk = shutil.which("wrk") is not None
    if use_wrk:
        bodies = tmp / f"bodies-{name}.txt"
        write_bodies(bodies, args.slice * (args.rounds + 1), 1)
    with gunicorn("bench.webhooks:bare_app()", env, args.workers) as bare, \
            gunicorn("bench.webhooks:floor_app()", env, args.workers) as floor, \
            gunicorn("app:create_app()", env, args.workers) as ours:
        urls = {"bare Flask": bare, "floor": floor, "webhook": ours}
        totals = measure_wrk(urls, args, bodies) if use_wrk else measure_python(urls, args)
    rows, keys = stored(database_url)
    return report(name, totals, rows, keys, args, use_wrk)


def report(name: str, totals: dict, rows: int, keys: int, args, use_wrk: bool) -> dict:
    tool = f"wrk -t1 -c{args.connections}" if use_wrk else f"Python client, {args.connections} threads"
    for label, total in totals.items():
        latency = f", p50 {total['p50_ms']:.1f} ms, p99 {total['p99_ms']:.1f} ms" if use_wrk else ""
        print(f"  [{name}] {label:>10}: {total['ok'] / total['seconds']:7.0f} acks/s{latency} ({total['ok']} ok, "
              f"{total['failed']} failed; gunicorn -w {args.workers} -k sync, {tool}, {args.rounds} rounds)",
              flush=True)
        if "cpu" in total:
            print(f"  [{name}] {label:>10}: {cpu.per_request(total['cpu'], total['requests'])}", flush=True)
    ours, bare = totals["webhook"], totals["bare Flask"]
    ratio = (ours["ok"] / ours["seconds"]) / max(bare["ok"] / bare["seconds"], 1e-9)
    acked = ours["acknowledged"]
    # wrk stops with up to one request in flight per connection: the server may store it after wrk hung up.
    in_flight = args.connections * (args.rounds + 1)
    exact = acked <= rows <= acked + in_flight and keys == rows and not ours.get("wrapped")
    print(f"  [{name}] ratio {ratio:.2f} of bare Flask; {rows} webhook_events rows for {acked} acknowledged "
          f"deliveries (warm-up included; at most {in_flight} more may be answered after wrk stopped), "
          f"{keys} distinct dedupe keys: {'every ack stored once' if exact else 'MISMATCH'}")
    floor = totals["floor"]["ok"] / totals["floor"]["seconds"]
    print(f"  [{name}] the floor (bare Flask + the one INSERT and one enqueue, no checks) is "
          f"{floor / max(bare['ok'] / bare['seconds'], 1e-9):.2f} of bare Flask; ours is "
          f"{(ours['ok'] / ours['seconds']) / max(floor, 1e-9):.2f} of the floor")
    if not use_wrk:
        print("  (no wrk: the Python load generator is client-bound; install wrk for the real ratio)")
    p99 = ours.get("p99_ms")
    ok = exact and not ours["failed"] and ratio >= 0.5 and (p99 is None or p99 < 50)
    return {"name": name, "ratio": ratio, "p99_ms": p99, "ok": ok}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench webhooks", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="load time per target")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds the time is split into")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (or client threads)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--slice", type=int, default=0, help="signed bodies per round (default: 8,000 per second)")
    args = parser.parse_args(argv)
    args.slice = args.slice or int(8000 * args.seconds / args.rounds) + 2000
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend in ("sqlite", "both"):
            (Path(tmp) / "sqlite").mkdir()
            results.append(run_backend("sqlite", f"sqlite:///{tmp}/sqlite/bench.db", None, args, Path(tmp) / "sqlite"))
        if args.backend in ("postgres", "both"):
            pg, redis_url = os.environ.get("BENCH_DATABASE_URL"), os.environ.get("BENCH_REDIS_URL")
            if pg and redis_url:
                (Path(tmp) / "pg").mkdir()
                results.append(run_backend("postgres+redis", pg, redis_url, args, Path(tmp) / "pg"))
            else:
                print("  [postgres+redis] skipped: set BENCH_DATABASE_URL (a throwaway database, emptied) and "
                      "BENCH_REDIS_URL")
    return 0 if all(result["ok"] for result in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
