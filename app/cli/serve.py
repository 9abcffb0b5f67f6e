"""flask serve: web server, worker and (for the demo) the Chatwoot simulator together; Ctrl-C stops all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import click
from flask.cli import with_appcontext

from app.cli import fail
from app.cli.demo import DEMO_SIMULATOR_URL, wire_demo

SIMULATOR_PORT = urlsplit(DEMO_SIMULATOR_URL).port or 5055  # SIMULATOR_URL moves it off 5055


def _start(args: list[str], label: str) -> subprocess.Popen:
    click.echo(f"starting {label}: flask {' '.join(args)}")
    return subprocess.Popen([sys.executable, "-m", "flask", *args], env=os.environ.copy())


def _stop_all(procs: list[subprocess.Popen]) -> None:
    """Stop the children, then kill what is still running after 8 s; a second Ctrl-C cannot cut this short."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 8
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _stop_on_termination() -> None:
    """`kill PID` or a supervisor's stop sends SIGTERM to this process alone: stop the children as Ctrl-C does,
    rather than dying and leaving the web server, worker and simulator running on their ports."""
    signal.signal(signal.SIGTERM, _interrupt)


def _wire_demo(port: int) -> None:
    """Before the simulator starts: its account webhook goes to this server's port, signed with the demo secret."""
    from app.sandbox.store import StateFileError

    try:
        url = wire_demo(f"http://127.0.0.1:{port}")
    except StateFileError as exc:
        fail(f"{exc} (move the file away to start the simulator with fresh demo data)")
    if url:
        click.echo(f"Chatwoot simulator: http://127.0.0.1:{SIMULATOR_PORT}/ sends the demo salon's webhooks to {url}")


@click.command("serve")
@click.option("--port", default=5000, show_default=True, envvar="PORT")
@click.option("--simulator/--no-simulator", default=True, help="Also run the demo Chatwoot simulator")
@with_appcontext
def serve(port, simulator):
    """Run the web server on 127.0.0.1 and the background worker together."""
    _stop_on_termination()
    procs = []
    try:  # a Ctrl-C while the children start stops those already started
        if simulator:
            _wire_demo(port)
            procs.append(_start(["chatwoot", "simulator", "--port", str(SIMULATOR_PORT)], "Chatwoot simulator"))
        procs.append(_start(["worker"], "worker"))
        procs.append(_start(["run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"], "web"))
        click.echo(f"Dashboard: http://127.0.0.1:{port}/  (Ctrl-C stops everything)")
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        click.echo("a process stopped; stopping the others", err=True)
    except KeyboardInterrupt:
        click.echo("stopping…")
    finally:
        _stop_all(procs)


COMMANDS = (serve,)
