"""Command-line groups (flask tenant|user|clients|appointments|secrets|worker|setup|...)."""

from __future__ import annotations

import sys

import click
from flask import Flask


def fail(message: str, code: int = 1):
    """Print an error to stderr and exit non-zero."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def register_cli(app: Flask) -> None:
    from app.cli import admin, chatwoot, data, notifications, serve, webhooks, worker

    groups = (admin, chatwoot, data, notifications, serve, webhooks, worker)
    for command in (c for module in groups for c in module.COMMANDS):
        app.cli.add_command(command)
