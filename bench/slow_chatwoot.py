"""Acknowledgement latency while a Chatwoot call is slow: webhooks arrive at a steady rate on gunicorn, first
alone, then while `flask chatwoot sync` (the worker's sync, run from the command line) talks to a Chatwoot
simulator slowed by its latency fault. No write transaction stays open across a Chatwoot call, so the
acknowledgements should barely move.

Run: python -m bench slow_chatwoot [--latency 1.0] [--clients 8] [--rate 10] [--baseline 5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.sandbox import ChatwootSimulator, SimulatorServer
from bench.import_load import Deliveries, bench_env, count, latency_line
from bench.webhooks import ROOT, SECRET, gunicorn

TOKEN = "bench-token"


def prepare_database(api_url: str, inbox_id: int, clients: int) -> None:
    """The tenant "bench" wired to the simulator (account 1, signing with SECRET) and `clients` clients."""
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import ChatwootConfig, Client, NotificationSettings
    from app.services.accounts.tenants import create_tenant

    with create_app().app_context():
        db.create_all()
        tenant = create_tenant("Bench", slug="bench")
        settings = db.session.scalar(select(NotificationSettings).filter_by(tenant_id=tenant.id))
        settings.chatwoot_enabled, settings.chatwoot_api_url, settings.chatwoot_api_token = True, api_url, TOKEN
        settings.chatwoot_account_id, settings.chatwoot_inbox_id = "1", str(inbox_id)
        db.session.scalar(select(ChatwootConfig).filter_by(tenant_id=tenant.id)).webhook_secret = SECRET
        db.session.add_all(Client(tenant_id=tenant.id, first_name="Cliente", last_name=str(n), phone=f"55{n:08d}")
                           for n in range(clients))
        db.session.commit()


def prepare(env: dict, api_url: str, inbox_id: int, clients: int) -> None:
    script = f"from bench.slow_chatwoot import prepare_database; prepare_database({api_url!r}, {inbox_id}, {clients})"
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True)


def simulator() -> tuple[SimulatorServer, int]:
    sim = ChatwootSimulator()
    sim.add_account(account_id=1, name="Bench")
    sim.add_user(token=TOKEN, account_ids=[1], role="administrator", name="Bench")
    inbox = sim.add_inbox(account_id=1, name="API", channel_type="Channel::Api")
    return SimulatorServer(sim).start(), inbox


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench slow_chatwoot", description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0, help="seconds the simulator waits on every call")
    parser.add_argument("--clients", type=int, default=8, help="clients the sync creates in Chatwoot")
    parser.add_argument("--rate", type=float, default=10.0, help="webhook deliveries per second")
    parser.add_argument("--baseline", type=float, default=5.0, help="seconds of webhooks before the sync")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    args = parser.parse_args(argv)
    server, inbox = simulator()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = bench_env(tmp)
            prepare(env, server.url, inbox, args.clients)
            with gunicorn("app:create_app()", env, args.workers) as url:
                quiet = Deliveries(url, args.rate, first_id=1)
                quiet.start()
                time.sleep(args.baseline)
                quiet.stop()
                server.sim.set_latency(args.latency)
                slowed = Deliveries(url, args.rate, first_id=1_000_000)
                slowed.start()
                began = time.monotonic()
                sync = subprocess.run([sys.executable, "-m", "flask", "chatwoot", "sync", "bench"], env=env,
                                      cwd=ROOT, capture_output=True, text=True)
                seconds = time.monotonic() - began
                slowed.stop()
            stored = count(Path(tmp) / "bench.db", "webhook_events")
    finally:
        server.stop()
    print(latency_line("webhooks, Chatwoot idle      ", quiet.results))
    print(latency_line(f"webhooks, sync on a {args.latency:g} s Chatwoot", slowed.results))
    print(f"sync: {sync.stdout.strip().splitlines()[0] if sync.stdout.strip() else '?'} (exit {sync.returncode}) "
          f"in {seconds:.1f} s, {server.sim.count()} Chatwoot calls; {stored} webhook_events stored")
    if sync.returncode:
        print(sync.stderr[-2000:], file=sys.stderr)
    accepted = sum(ok for _, ok in quiet.results + slowed.results)
    ran = bool(quiet.results and slowed.results)  # a load that never ran is a failure, not a pass
    return 1 if sync.returncode or not ran or accepted != len(quiet.results + slowed.results) \
        or stored != accepted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
