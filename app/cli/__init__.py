"""Command-line groups (flask tenant|user|clients|appointments|secrets|worker|setup|...)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask

from app.transactions import DatabaseBusy, Work, unit_of_work

EXIT_BUSY = 75  # sysexits' EX_TEMPFAIL: nothing changed, the same command may simply be run again


def fail(message: str, code: int = 1):
    """Print an error to stderr and exit non-zero."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@contextmanager
def committed(*expected: type[Exception], code: int = 1) -> Iterator[Work]:
    """A command's unit of work: commit once; a refusal (exit `code`) or a busy database (exit 75) is rolled
    back and explained on stderr, never a traceback."""
    with unit_of_work(*expected) as work:
        yield work
    if isinstance(work.error, DatabaseBusy):
        fail(f"the database is busy (another process is writing); nothing was changed, run the command again "
             f"({work.error.message})", EXIT_BUSY)
    if work.error is not None:
        fail(getattr(work.error, "message", None) or str(work.error), code)


def register_cli(app: Flask) -> None:
    from app.cli import admin, chatwoot, data, notifications, serve, webhooks, worker

    groups = (admin, chatwoot, data, notifications, serve, webhooks, worker)
    for command in (c for module in groups for c in module.COMMANDS):
        app.cli.add_command(command)
