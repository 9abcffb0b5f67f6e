"""flask worker: the job consumer with the app's configuration."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import huey


@click.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="Worker threads")
@click.option("--periodic/--no-periodic", default=True, help="Run the periodic sweep in this process")
@with_appcontext
def worker(workers, periodic):
    """Consume jobs from the queue (SQLite file, or Redis when REDIS_URL is set)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    where = current_app.config.get("REDIS_URL") or current_app.config["HUEY_SQLITE_PATH"]
    click.echo(f"Worker consuming from {where} with {workers} thread(s)")
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic,
                                    check_worker_health=True)
    consumer.run()


COMMANDS = (worker,)
