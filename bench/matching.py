"""Client matching: find_client_by_phone takes about the same time with 100 and with 100,000 clients,
because it is an indexed lookup on the canonical phone key (never a scan of the clients table).

Run: python -m bench matching [--lookups N] [--sizes 100,100000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.chatwoot.client_matcher import chatwoot_client_matcher
from app.config import test_settings
from app.extensions import db
from app.services.accounts.tenants import create_tenant

SIZES = (100, 100_000)
STAMP = datetime(2025, 1, 1, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
INSERT = ("INSERT INTO clients (id, tenant_id, first_name, last_name, phone, phone_e164, marketing_opt_out,"
          " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)")
# The ways people write a Mexican number; every one must find the same client.
WRITTEN = ("{n}", "+52{n}", "+52 1 {a} {b} {c}", "045 {a} {b} {c}", "({a}) {b}-{c}")


def national(i: int) -> str:
    return f"55{i:08d}"


def seed(tenant_id: str, count: int) -> None:
    """Bulk insert with executemany on the raw SQLite connection (the ORM would take minutes at 100,000)."""
    rows = [(f"mc{i:09d}", tenant_id, "Cliente", str(i), national(i), "+52" + national(i), False, STAMP, STAMP)
            for i in range(count)]
    raw = db.engine.raw_connection()
    try:
        raw.cursor().executemany(INSERT, rows)
        raw.commit()
    finally:
        raw.close()


def written(i: int, rng: random.Random) -> str:
    n = national(i)
    return rng.choice(WRITTEN).format(n=n, a=n[:2], b=n[2:6], c=n[6:])


def query_plan(tenant_id: str) -> str:
    """SQLite's plan for the lookup, to show the index is used."""
    plan = db.session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN SELECT * FROM clients WHERE tenant_id = ? AND phone_e164 = ?",
        (tenant_id, "+525500000001")).all()
    return "; ".join(str(row[-1]) for row in plan)


def measure(size: int, lookups: int) -> tuple[float, str]:
    """Median microseconds per find_client_by_phone over `lookups` random clients, and the query plan."""
    rng = random.Random(size)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(test_settings(Path(tmp)))
        with app.app_context():
            db.create_all()
            tenant = create_tenant("Salón Bench", slug="bench")
            db.session.commit()
            seed(tenant.id, size)
            picks = [rng.randrange(size) for _ in range(lookups + 20)]
            times = []
            for n, i in enumerate(picks):
                began = time.perf_counter()
                client = chatwoot_client_matcher.find_client_by_phone(written(i, rng), tenant.id)
                elapsed = time.perf_counter() - began
                assert client is not None and client.last_name == str(i), i
                if n >= 20:  # the first lookups warm caches up
                    times.append(elapsed)
                db.session.expunge_all()  # a fresh session each time, like a webhook job
            plan = query_plan(tenant.id)
            db.session.remove()
            db.engine.dispose()
    return statistics.median(times) * 1e6, plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=2000, help="timed lookups per size (median reported)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="client counts, comma-separated")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for size in sizes:
        median, plan = measure(size, args.lookups)
        results.append(median)
        print(f"  {size:,} clients: {median:.1f} µs per lookup ({plan})", flush=True)
    print(f"\nfind_client_by_phone, median of {args.lookups:,} lookups (numbers written in mixed forms)")
    print(f"{'clients':>10}  {'µs / lookup':>12}")
    for size, median in zip(sizes, results, strict=True):
        print(f"{size:>10,}  {median:>12.1f}")
    if len(results) > 1:
        print(f"ratio {sizes[-1]:,} / {sizes[0]:,} clients: {results[-1] / results[0]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
