"""Takeover: seconds from killing the worker that runs a contact sync until another worker carries it on.

A real worker process runs a sync of 200 clients against the Chatwoot simulator (served over loopback,
with latency on contact creation so the run lasts); it is killed with SIGKILL mid-run while a second
worker is up. The sweep runs every 20 s as in production (the bench process plays the periodic task);
the lease is shortened (--lease, WORKER_LEASE_SECONDS) so the bench stays under a minute, and the time
is also given for the default 60 s lease: expiry of the lease plus the wait for the next sweep.
The run must end done, with no contact created twice.

Run: python -m bench takeover [--lease 5] [--clients 200]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
TOKEN, ACCOUNT_ID = "bench-token", 1
DEFAULT_LEASE = 60.0
GOAL = 90.0


def simulator():
    from app.sandbox import ChatwootSimulator, SimulatorServer

    sim = ChatwootSimulator()
    sim.add_account(account_id=ACCOUNT_ID, name="Bench")
    sim.add_user(token=TOKEN, account_ids=[ACCOUNT_ID], role="administrator", name="Bench")
    inbox = sim.add_inbox(account_id=ACCOUNT_ID, name="API", channel_type="Channel::Api")
    return sim, SimulatorServer(sim).start(), inbox


def app_for(tmp: str, key: str, lease: float):
    from app import create_app
    from app.config import load_settings

    settings = load_settings()
    settings.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db", HUEY_SQLITE_PATH=f"{tmp}/queue.db",
                    SECRET_KEY="bench", ENCRYPTION_KEYS=[key], WORKER_LEASE_SECONDS=lease, REDIS_URL=None)
    return create_app(settings)


def seed(url: str, inbox: int, clients: int) -> str:
    """A tenant wired to the simulator with `clients` clients; returns its id."""
    from app.chatwoot.settings import update_credentials
    from app.extensions import db
    from app.models import Client
    from app.services.accounts.tenants import create_tenant

    db.create_all()
    tenant = create_tenant("Bench")
    db.session.add_all(Client(tenant_id=tenant.id, first_name=f"C{i}", phone=f"55{70000000 + i}")
                       for i in range(clients))
    db.session.commit()
    update_credentials(tenant.id, api_url=url, account_id=str(ACCOUNT_ID), api_token=TOKEN, inbox_id=str(inbox),
                       enabled=True)
    db.session.commit()
    return tenant.id


def worker(env: dict, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "worker", "--no-periodic", "-w", "1"], env=env,
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def run_state(run_id: str):
    from app.extensions import db
    from app.models import SyncRun

    db.session.expire_all()
    return db.session.get(SyncRun, run_id)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench takeover", description=__doc__.splitlines()[0])
    parser.add_argument("--lease", type=float, default=5.0, help="WORKER_LEASE_SECONDS for this run")
    parser.add_argument("--clients", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        key = Fernet.generate_key().decode()
        env = {**os.environ, "INSTANCE_PATH": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench",
               "ENCRYPTION_KEYS": key, "WORKER_LEASE_SECONDS": str(args.lease), "APP_ENV": "development",
               "CHATWOOT_ALLOW_PRIVATE_NETWORK": "true"}
        env.pop("REDIS_URL", None)
        sim, server, inbox = simulator()
        with app_for(tmp, key, args.lease).app_context(), open(Path(tmp) / "workers.log", "w") as log:
            try:
                return measure(sim, server.url, inbox, env, log, args)
            finally:
                server.stop()


def measure(sim, url: str, inbox: int, env: dict, log, args) -> int:
    from app.extensions import db
    from app.models import SyncStatus
    from app.queue import SWEEP_EVERY_SECONDS, run_sweepers
    from app.services.sync.runs import start_sync

    run_id = start_sync(seed(url, inbox, args.clients)).id
    db.session.commit()
    sim.set_latency(0.02, path_contains=f"/accounts/{ACCOUNT_ID}/contacts")
    first = worker(env, log)
    while sim.count("POST", f"/accounts/{ACCOUNT_ID}/contacts") < args.clients // 5:
        time.sleep(0.01)
    second = worker(env, log)  # up and idle before the first one dies
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at, processed = time.monotonic(), run_state(run_id).processed
    next_sweep = killed_at + SWEEP_EVERY_SECONDS - time.time() % SWEEP_EVERY_SECONDS  # at :00, :20, :40
    taken_at = None
    try:
        while (state := run_state(run_id)).status in (SyncStatus.QUEUED, SyncStatus.RUNNING):
            if time.monotonic() >= next_sweep:
                run_sweepers()  # what the periodic task does every 20 s in production
                next_sweep += SWEEP_EVERY_SECONDS
            if taken_at is None and state.status == SyncStatus.RUNNING and state.processed < processed:
                taken_at = time.monotonic()  # the new attempt started over (processed counts from 0)
                sim.set_latency(0)  # measured: let the rest of the run go fast
            if time.monotonic() - killed_at > 120:
                print("the run was not taken up within 120 s", file=sys.stderr)
                return 1
            time.sleep(0.05)
    finally:
        second.kill()
        second.wait(10)
    taken = (taken_at or time.monotonic()) - killed_at
    creates = sim.count("POST", f"/accounts/{ACCOUNT_ID}/contacts")
    duplicates = creates - len(sim.contacts(ACCOUNT_ID))
    projected = taken - args.lease + DEFAULT_LEASE
    print(f"takeover: {taken:5.1f} s with a {args.lease:g} s lease and a sweep every {SWEEP_EVERY_SECONDS} s; "
          f"{projected:5.1f} s with the default {DEFAULT_LEASE:g} s lease (goal <= {GOAL:g} s)")
    print(f"    run {state.status}: {state.processed}/{state.total} clients, {len(sim.contacts(ACCOUNT_ID))} "
          f"contacts, {duplicates} created twice")
    return 0 if state.status == SyncStatus.DONE and duplicates == 0 and projected <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
