"""flask chatwoot …: credentials, checks, sync, client lookup, test messages, the simulator."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("chatwoot")
def chatwoot_group():
    """Chatwoot integration."""


@chatwoot_group.command("simulator")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5055, show_default=True)
@with_appcontext
def simulator(host, port):
    """Serve the bundled Chatwoot SIMULATOR with demo data (not a real Chatwoot)."""
    from app.sandbox import demo_simulator, serve

    click.echo(f"Chatwoot SIMULATOR (demo data, not a real Chatwoot) on http://{host}:{port}")
    serve(host, port, demo_simulator())


COMMANDS = (chatwoot_group,)
