"""The analytics page at scale: 90 days at 1,000,000 interactions within 2× of 10,000 (INTERFACES §10).

The log covers the last year up to now, in conversations of ten messages (a customer, a bot, agents). The
page is timed twice per size: cold (no roll-ups yet, every day computed live) for information, and with the
worker's roll-ups in place, which is how the page runs and what the ratio judges. The roll-up timings of the
sizes alternate round by round, so the machine's drift weighs on both alike.

Run: python -m bench analytics   (or python bench/analytics.py [--repeat N] [--small-only])
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.config import test_settings
from app.extensions import db
from app.models import ChatwootInteraction, Role, Tenant, utcnow
from app.services.accounts.tenants import create_tenant, create_user
from app.services.analytics.rollup import roll_up
from bench.list_pages import _dispose, _insert

SIZES = (10_000, 1_000_000)
TARGET_RATIO = 2.0
SPAN = timedelta(days=365)
# A conversation: the customer opens, a bot answers at once, then customer and agents take turns.
TURNS = (("incoming", None), ("outgoing", "automatic"), ("outgoing", "person"), ("incoming", None),
         ("outgoing", "person"), ("incoming", None), ("outgoing", "person"), ("incoming", None),
         ("outgoing", "person"), ("incoming", None))


@functools.cache
def _day(start: datetime, day: int) -> str:
    return (start + timedelta(days=day)).strftime("%Y-%m-%d")


def _rows(tenant_id: str, count: int, start: datetime):
    step = SPAN.total_seconds() / count
    for i in range(count):
        seconds = int(i * step)
        day, rest = divmod(seconds, 86400)
        stamp = f"{_day(start, day)} {rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}.000000"
        conversation = i // len(TURNS)
        direction, sender = TURNS[i % len(TURNS)]
        yield (f"ai{i:010d}", tenant_id, None, str(conversation % max(count // 40, 1) + 1), str(conversation + 1),
               str(i + 1), "message_created", direction, "Mensaje", None, None, stamp, sender)


def prepare(stack: contextlib.ExitStack, interactions: int):
    """A seeded app and a logged-in test client; returns (app, client, tenant id)."""
    app = create_app(test_settings(Path(stack.enter_context(tempfile.TemporaryDirectory()))))
    with app.app_context():
        db.create_all()
        tenant = create_tenant("Salón Bench", slug="bench")
        user = create_user("bench@example.com", "bench password 123", role=Role.ADMIN)
        db.session.commit()
        began = time.perf_counter()
        start = (utcnow() - SPAN).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC)
        _insert(ChatwootInteraction.__table__, "id, tenant_id, client_id, chatwoot_contact_id, conversation_id, "
                "message_id, event, direction, content_preview, phone, status, created_at, sender_kind",
                _rows(tenant.id, interactions, start))
        print(f"  seeded {interactions:,} interactions in {time.perf_counter() - began:.1f} s", flush=True)
        tenant_id, session_id = tenant.id, user.get_id()
        db.session.remove()
    stack.callback(lambda: _dispose(app))
    http = app.test_client()
    with http.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
    return app, http, tenant_id


def _roll_up_all(app, tenant_id: str) -> float:
    """What the worker's sweeps do until every finished day of the last 90 is stored; returns seconds."""
    began = time.perf_counter()
    with app.app_context():
        tenant = db.session.get(Tenant, tenant_id)
        while roll_up(tenant, utcnow()):
            db.session.commit()
        db.session.commit()
        db.session.remove()
    return time.perf_counter() - began


def _time_page(http) -> float:
    began = time.perf_counter()
    response = http.get("/t/bench/analytics?days=90")
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200 and "Analítica" in response.text, response.status_code
    return elapsed


def _timed(clients: list, repeat: int) -> list[float]:
    """The median page time of each client, timed in alternating rounds so that the machine's drift from
    minute to minute (another process, a busy disk) weighs on every size alike."""
    times: list[list[float]] = [[] for _ in clients]
    for _ in range(repeat + 1):
        for own, http in zip(times, clients, strict=True):
            own.append(_time_page(http))
    return [statistics.median(own[1:]) for own in times]  # the first round is a warm-up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="timed rounds per state (median shown)")
    parser.add_argument("--small-only", action="store_true", help="only 10,000 interactions (a quick check)")
    args = parser.parse_args(argv)
    sizes = SIZES[:1] if args.small_only else SIZES
    clients = []
    with contextlib.ExitStack() as stack:
        for size in sizes:
            print(f"{size:,} interactions:", flush=True)
            app, http, tenant_id = prepare(stack, size)
            cold = _timed([http], 3)[0]
            rolled = _roll_up_all(app, tenant_id)
            print(f"  page cold (every day live) {cold:.1f} ms; roll-ups {rolled:.1f} s", flush=True)
            clients.append(http)
        results = _timed(clients, args.repeat)
    for size, warm in zip(sizes, results, strict=True):
        print(f"  {size:,} interactions, roll-ups in place: page {warm:.1f} ms", flush=True)
    if len(results) < 2:
        return 0
    ratio = results[1] / results[0]
    verdict = "ok" if ratio <= TARGET_RATIO else "FAILED"
    print(f"analytics page, 90 days: {results[0]:.1f} ms at 10k, {results[1]:.1f} ms at 1M: ratio {ratio:.2f} "
          f"(target ≤ {TARGET_RATIO}) {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
