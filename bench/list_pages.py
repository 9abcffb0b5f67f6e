"""List pages at scale: the interaction log and the linked contacts render about as fast with
100,000 clients and 1,000,000 interactions as with 1,000 and 10,000 (keyset pagination, indexed filters).

Run: python -m bench list_pages   (or python bench/list_pages.py [--repeat N] [--small-only])
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Table

from app import create_app
from app.config import test_settings
from app.extensions import db
from app.models import ChatwootInteraction, Client, Role
from app.services.accounts.tenants import create_tenant, create_user
from app.services.listing import encode_cursor

SIZES = ((1_000, 10_000), (100_000, 1_000_000))
BATCH = 50_000
LINKED_SHARE = 0.7
UNMATCHED_SHARE = 0.1
START = datetime(2025, 1, 1, tzinfo=UTC)
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's SQLite DateTime storage format (UTC)
FIRST = ("Ana", "Luis", "María", "José", "Lucía", "Carlos", "Sofía", "Jorge", "Elena", "Miguel")
LAST = ("García", "Hernández", "López", "Martínez", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz")
EVENTS = ("message_created", "message_created", "message_created", "message_updated", "conversation_created",
          "test_message")
DIRECTIONS = ("incoming", "incoming", "outgoing", "outgoing", "system")


def _stamp(seconds: int) -> str:
    """START + seconds in the storage format, without datetime arithmetic (a million of these add up)."""
    day, rest = divmod(seconds, 86400)
    return f"{_day(day)} {rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}.000000"


@functools.cache
def _day(day: int) -> str:
    return (START + timedelta(days=day)).strftime("%Y-%m-%d")


def _client_rows(tenant_id: str, count: int):
    now = _stamp(0)
    for i in range(count):
        linked = i < count * LINKED_SHARE
        phone = f"55{i:08d}"
        yield (f"bc{i:09d}", tenant_id, FIRST[i % 10], f"{LAST[(i // 10) % 10]} {i}", phone, "+52" + phone,
               None, False, str(i + 1) if linked else None, _stamp(i) if linked else None, now, now)


def _interaction_rows(tenant_id: str, count: int, clients: int):
    draw = random.Random(7).random
    linked = int(clients * LINKED_SHARE)
    for i in range(count):
        x = draw()
        client = None if x < UNMATCHED_SHARE else int((x - UNMATCHED_SHARE) / (1 - UNMATCHED_SHARE) * linked)
        yield (f"bi{i:010d}", tenant_id, None if client is None else f"bc{client:09d}",
               str((client or 0) + 1), str(i // 20 + 1), str(i + 1), EVENTS[i % len(EVENTS)],
               DIRECTIONS[i % len(DIRECTIONS)], f"Mensaje de prueba número {i}", None, None, _stamp(30 * i))


def _insert(table: Table, columns: str, rows) -> None:
    """executemany in batches on the raw SQLite connection, indexes built once at the end (sorted, not row by row)."""
    for index in table.indexes:
        index.drop(db.engine)
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        sql = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' * len(columns.split(',')))})"
        for batch in iter(lambda: list(itertools.islice(rows, BATCH)), []):
            cursor.executemany(sql, batch)
        raw.commit()
    finally:
        raw.close()
    for index in table.indexes:
        index.create(db.engine)


def seed(clients: int, interactions: int) -> tuple[str, str]:
    """A tenant with `clients` clients (70% linked) and `interactions` log rows; returns (slug, the admin's
    session id, as Flask-Login keeps it in the cookie)."""
    tenant = create_tenant("Salón Bench", slug="bench")
    user = create_user("bench@example.com", "bench password 123", role=Role.ADMIN)
    db.session.commit()
    _insert(Client.__table__, "id, tenant_id, first_name, last_name, phone, phone_e164, email, marketing_opt_out, "
            "chatwoot_contact_id, chatwoot_linked_at, created_at, updated_at", _client_rows(tenant.id, clients))
    _insert(ChatwootInteraction.__table__, "id, tenant_id, client_id, chatwoot_contact_id, conversation_id, "
            "message_id, event, direction, content_preview, phone, status, created_at",
            _interaction_rows(tenant.id, interactions, clients))
    return tenant.slug, user.get_id()


def _deep_cursor(interactions: int) -> str:
    """The cursor 90% of the way down the log (rows are 30 s apart, ids in time order)."""
    i = int(interactions * 0.1)
    return encode_cursor(START + timedelta(seconds=30 * i), f"bi{i:010d}")


def _timed_get(http, url: str) -> float:
    began = time.perf_counter()
    response = http.get(url)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200 and "<html" in response.text, (url, response.status_code)
    return elapsed


def _dispose(app) -> None:
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def prepare(stack: contextlib.ExitStack, clients: int, interactions: int):
    """An app on a seeded temporary database and a logged-in test client; returns (client, {page: url})."""
    app = create_app(test_settings(Path(stack.enter_context(tempfile.TemporaryDirectory()))))
    with app.app_context():
        db.create_all()
        began = time.perf_counter()
        slug, session_id = seed(clients, interactions)
        print(f"  seeded {clients:,} clients and {interactions:,} interactions in "
              f"{time.perf_counter() - began:.1f} s", flush=True)
        db.session.remove()
    stack.callback(_dispose, app)
    http = app.test_client()
    with http.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
    return http, {
        "interaction log, first page": f"/t/{slug}/interactions/",
        "interaction log, deep page (cursor)": f"/t/{slug}/interactions/?before={_deep_cursor(interactions)}",
        "interaction log, unmatched only": f"/t/{slug}/interactions/?matched=no",
        "interaction log, one event": f"/t/{slug}/interactions/?event=conversation_created",
        "client timeline": f"/t/{slug}/interactions/client/bc{int(clients * LINKED_SHARE) - 1:09d}",
        "linked contacts": f"/t/{slug}/contacts/",
    }


def measure(targets, repeat: int) -> list[dict[str, float]]:
    """Median ms per page and size; the sizes take turns, so a busy machine slows them alike."""
    times: list[dict[str, list[float]]] = [{} for _ in targets]
    for name in targets[0][1]:
        for http, pages in targets:
            _timed_get(http, pages[name])  # warm-up
        for _ in range(repeat):
            for (http, pages), mine in zip(targets, times, strict=True):
                mine.setdefault(name, []).append(_timed_get(http, pages[name]))
    return [{name: statistics.median(values) for name, values in mine.items()} for mine in times]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="timed requests per page and size (median shown)")
    parser.add_argument("--small-only", action="store_true", help="only the small size (a quick check)")
    args = parser.parse_args(argv)
    sizes = SIZES[:1] if args.small_only else SIZES
    with contextlib.ExitStack() as stack:
        targets = []
        for clients, interactions in sizes:
            print(f"{clients:,} clients / {interactions:,} interactions:", flush=True)
            targets.append(prepare(stack, clients, interactions))
        _report(sizes, measure(targets, args.repeat))
    return 0


def _report(sizes, results: list[dict[str, float]]) -> None:
    heads = [f"{c // 1000}k cl. / {i // 1000}k int." for c, i in sizes]
    print(f"\n{'page (median ms)':<38}" + "".join(f"{h:>22}" for h in heads) + ("   ratio" if len(results) > 1 else ""))
    for name in results[0]:
        row = "".join(f"{r[name]:>22.1f}" for r in results)
        ratio = f"   {results[-1][name] / results[0][name]:.2f}x" if len(results) > 1 else ""
        print(f"{name:<38}{row}{ratio}")


if __name__ == "__main__":
    sys.exit(main())
