"""Where a benchmark's CPU goes: seconds used by the web server's processes, PostgreSQL, Redis and the load
generator while it runs (Linux /proc). On a small machine that also runs the database, the queue and wrk,
their share is CPU the web workers cannot have, which bounds any ratio to a server that uses neither."""

from __future__ import annotations

import os
import resource
from pathlib import Path

GROUPS = ("web", "postgres", "redis", "wrk")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def sample(url: str) -> dict[str, float]:
    """CPU seconds used so far by the gunicorn serving `url` (master and workers), by PostgreSQL's and Redis's
    processes, and by this process's finished children (the wrk runs); empty where /proc is missing."""
    proc = Path("/proc")
    if not proc.is_dir():
        return {}
    bind, used = url.removeprefix("http://"), dict.fromkeys(GROUPS, 0.0)
    for entry in proc.iterdir():
        group = _group(entry, bind) if entry.name.isdigit() else None
        if group:
            used[group] += _cpu_seconds(entry)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    used["wrk"] = children.ru_utime + children.ru_stime
    return used


def _group(entry: Path, bind: str) -> str | None:
    try:
        command = (entry / "cmdline").read_bytes().decode(errors="replace")
        name = (entry / "comm").read_text().strip()
    except OSError:  # the process ended meanwhile
        return None
    if "gunicorn" in command and bind in command:
        return "web"
    if name.startswith("postgres"):
        return "postgres"
    return "redis" if name.startswith("redis-server") else None


def _cpu_seconds(entry: Path) -> float:
    try:
        fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime and stime, in clock ticks


def used_between(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {group: max(after.get(group, 0.0) - before.get(group, 0.0), 0.0) for group in GROUPS if before}


def per_request(used: dict[str, float], requests: int) -> str:
    """'web 0.77, postgres 0.25, redis 0.06, wrk 0.12 ms of CPU per request' (groups that used none left out)."""
    parts = [f"{group} {seconds / max(requests, 1) * 1000:.2f}" for group, seconds in used.items() if seconds]
    return f"{', '.join(parts)} ms of CPU per request" if parts else "CPU per request not measured (no /proc)"
