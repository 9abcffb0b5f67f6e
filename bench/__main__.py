"""python -m bench [NAME [ARGS...]]: run one benchmark with its arguments, or every benchmark with its defaults."""

from __future__ import annotations

import importlib
import sys
import time

# Registering a benchmark is one line: its name and the module whose main(argv) -> int runs it.
BENCHMARKS = {
    "matching": "bench.matching",
    "list_pages": "bench.list_pages",
    "webhooks": "bench.webhooks",
    "takeover": "bench.takeover",
    "import_load": "bench.import_load",
    "slow_chatwoot": "bench.slow_chatwoot",
    "analytics": "bench.analytics",
}

# What each benchmark is judged by (the README's table says the same, with measured figures).
JUDGED_BY = {
    "matching": "lookup time, 100,000 / 100 clients: about 1x (an index search)",
    "list_pages": "page time, 100,000 / 1,000 clients: about 1x (keyset pagination)",
    "webhooks": "acks/s / bare Flask under wrk >= 0.5, p99 < 50 ms, every ack one row (SQLite; PostgreSQL + Redis "
                "when BENCH_DATABASE_URL/BENCH_REDIS_URL are set)",
    "takeover": "a killed worker's run taken up within 90 s (default lease)",
    "import_load": "import rows/s under webhook load; every delivery answered and stored",
    "slow_chatwoot": "webhook latency while a sync waits on a slow Chatwoot: unchanged",
    "analytics": "analytics page (90 days, roll-ups in place), 1,000,000 / 10,000 interactions: <= 2x",
}


def run(name: str, argv: list[str]) -> tuple[int, float]:
    print(f"== bench {name}", flush=True)
    started = time.monotonic()
    return importlib.import_module(BENCHMARKS[name]).main(argv), time.monotonic() - started


def print_table(results: dict[str, tuple[int, float]]) -> None:
    print(f"\n{'benchmark':<14} {'result':<7} {'time':>6}  command / judged by")
    for name, (code, seconds) in results.items():
        print(f"{name:<14} {'ok' if code == 0 else 'FAILED':<7} {seconds:5.0f}s  python -m bench {name}: "
              f"{JUDGED_BY[name]}")


def main(argv: list[str]) -> int:
    if not argv:
        results = {name: run(name, []) for name in BENCHMARKS}
        print_table(results)
        return max(code for code, _ in results.values())
    name, rest = argv[0], argv[1:]
    if name not in BENCHMARKS:
        print(f"unknown benchmark {name!r}; choose from: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    return run(name, rest)[0]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
