"""Import under webhook load: `flask clients import` of a large CSV into the default SQLite database while
signed webhooks arrive at a steady rate on gunicorn; rows/s of the import, and every delivery answered and
stored (none lost to the import's write lock).

Run: python -m bench import_load [--rows 20000] [--rate 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import statistics
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

from bench.webhooks import PATH, ROOT, gunicorn, headers, prepare, signed


def bench_env(tmp: str) -> dict:
    """A development environment whose instance/ and SQLite database live in `tmp`."""
    env = {**os.environ, "INSTANCE_PATH": tmp, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
           "SECRET_KEY": "bench", "ENCRYPTION_KEYS": Fernet.generate_key().decode(), "APP_ENV": "development"}
    for name in ("REDIS_URL", "CHATWOOT_ACCOUNT_ID", "CHATWOOT_WEBHOOK_SECRET", "DEFAULT_PHONE_REGION"):
        env.pop(name, None)
    return env


class Deliveries(threading.Thread):
    """Signed message_created webhooks at `rate` per second until stopped; keeps (seconds, accepted) each."""

    def __init__(self, url: str, rate: float, first_id: int):
        super().__init__(daemon=True)
        self.url, self.interval, self.next_id = url + PATH, 1.0 / rate, first_id
        self.results: list[tuple[float, bool]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        session, due = requests.Session(), time.monotonic()
        while not self.halt.is_set():
            stamp = str(int(time.time()))
            body, signature = signed(self.next_id, stamp)
            self.next_id += 1
            began = time.monotonic()
            try:
                answer = session.post(self.url, data=body, headers=headers(stamp, signature), timeout=30)
                accepted = answer.status_code == 200 and answer.json().get("status") == "accepted"
            except requests.RequestException:
                accepted = False
            self.results.append((time.monotonic() - began, accepted))
            due += self.interval
            time.sleep(max(0.0, due - time.monotonic()))

    def stop(self) -> None:
        self.halt.set()
        self.join(60)


def latency_line(label: str, results: list[tuple[float, bool]]) -> str:
    """p50 / p99 / max acknowledgement time in ms, and how many were accepted."""
    times = sorted(seconds * 1000 for seconds, _ in results)
    if not times:
        return f"{label}: no deliveries"
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    accepted = sum(ok for _, ok in results)
    return (f"{label}: ack p50 {statistics.median(times):.0f} ms, p99 {p99:.0f} ms, max {times[-1]:.0f} ms "
            f"({accepted} of {len(results)} accepted)")


def count(db_path: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


class Progress(threading.Thread):
    """Polls the clients count, so the import's rate excludes the command's start-up."""

    def __init__(self, db_path: Path):
        super().__init__(daemon=True)
        self.db_path, self.first, self.last, self.rows, self.first_rows = db_path, None, None, 0, 0
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(0.1):
            rows = count(self.db_path, "clients")
            if rows and self.first is None:
                self.first, self.first_rows = time.monotonic(), rows
            if rows != self.rows:
                self.rows, self.last = rows, time.monotonic()

    def rate(self) -> float:
        """Rows per second between the first and the last commit seen (the first batch not counted)."""
        if self.first is None or self.last is None or self.last <= self.first:
            return float("nan")
        return (self.rows - self.first_rows) / (self.last - self.first)


def write_csv(path: Path, rows: int) -> None:
    path.write_text("id,first_name,last_name,phone,email\n" + "".join(
        f"cp-{n},Cliente,{n},55{n:08d},c{n}@example.com\n" for n in range(rows)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench import_load", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=10.0, help="webhook deliveries per second")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        env, csv_path, db_path = bench_env(tmp), Path(tmp) / "clients.csv", Path(tmp) / "bench.db"
        prepare(env)
        write_csv(csv_path, args.rows)
        with gunicorn("app:create_app()", env, args.workers) as url:
            deliveries = Deliveries(url, args.rate, first_id=1)
            deliveries.start()
            progress = Progress(db_path)
            progress.start()
            began = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "flask", "clients", "import", "bench", str(csv_path)],
                                  env=env, cwd=ROOT, capture_output=True, text=True)
            seconds = time.monotonic() - began
            deliveries.stop()
            progress.halt.set()
            progress.join(10)
        imported, stored = count(db_path, "clients"), count(db_path, "webhook_events")
    print(f"import: {done.stdout.strip()} (exit {done.returncode}); {progress.rate():.0f} rows/s from the first "
          f"commit to the last ({seconds:.1f} s with the command's start-up) while webhooks arrived at "
          f"{args.rate:g}/s (gunicorn -w {args.workers})")
    print(latency_line("webhooks during the import", deliveries.results))
    accepted = sum(ok for _, ok in deliveries.results)
    print(f"stored: {stored} webhook_events rows for {accepted} accepted deliveries; {imported} of {args.rows} clients")
    if done.returncode:
        print(done.stderr[-2000:], file=sys.stderr)
    # no delivery at all means the load never ran: a failure, not a pass
    lost = imported != args.rows or stored != accepted or not accepted or accepted != len(deliveries.results)
    return 1 if done.returncode or lost else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
