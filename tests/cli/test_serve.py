"""`flask serve` (what `make run` starts) never leaves its web server, worker or simulator behind."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.fixtures.processes import running_demo


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _listening(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) == 0


def test_a_terminated_serve_stops_the_web_server_the_worker_and_the_simulator(tmp_path):
    with running_demo(tmp_path) as demo:
        children = _children(demo.server.pid)
        assert len(children) == 3 and all(_running(pid) for pid in children)
        demo.server.terminate()  # SIGTERM to `flask serve` alone, as `kill PID` or a supervisor sends it
        code = demo.server.wait(timeout=20)
        assert [pid for pid in children if _running(pid)] == []
        assert not _listening(demo.url) and not _listening(demo.simulator_url)
        assert code == 0  # stopped as by Ctrl-C, not killed by the signal
