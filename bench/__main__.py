"""python -m bench [NAME [ARGS...]]: run one benchmark with its arguments, or every benchmark with its defaults."""

from __future__ import annotations

import importlib
import sys

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


def run(name: str, argv: list[str]) -> int:
    print(f"== bench {name}", flush=True)
    return importlib.import_module(BENCHMARKS[name]).main(argv)


def main(argv: list[str]) -> int:
    if not argv:
        return max(run(name, []) for name in BENCHMARKS)
    name, rest = argv[0], argv[1:]
    if name not in BENCHMARKS:
        print(f"unknown benchmark {name!r}; choose from: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    return run(name, rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
