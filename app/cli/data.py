"""flask clients import, flask appointments import."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli import fail
from app.services.accounts.tenants import TenantError, require_tenant
from app.services.clients.imports import (
    ImportFileError,
    ImportPlan,
    ImportReport,
    appointment_import,
    client_import,
    import_batch,
)
from app.transactions import DatabaseBusy, commit_with_retry, discard, let_waiting_writers_in


def _run_import(tenant_ref: str, path: str, read_plan) -> None:
    try:
        tenant = require_tenant(tenant_ref)
        plan: ImportPlan = read_plan(Path(path))
    except TenantError as exc:
        fail(str(exc))
    except ImportFileError as exc:
        discard()
        fail(str(exc), code=2)
    discard()  # each batch then begins its own transaction, taking the write lock up front
    report, config = ImportReport(), current_app.config
    batch = partial(import_batch, tenant, plan, seen=report.seen, size=config["IMPORT_BATCH_ROWS"],
                    seconds=config["IMPORT_BATCH_SECONDS"])
    while report.rows < len(plan.rows):
        try:
            report.add(commit_with_retry(partial(batch, report.rows), config["IMPORT_LOCK_ATTEMPTS"]))
        except DatabaseBusy as exc:
            _print_report(report)
            fail(f"the database stayed locked ({exc.message}); {report.committed} rows committed, "
                 f"stopped before line {report.rows + 2}", code=2)
        let_waiting_writers_in()
    _print_report(report)
    if report.rejected:
        raise SystemExit(1)


def _print_report(report: ImportReport) -> None:
    click.echo(f"created: {report.created}  updated: {report.updated}  rejected: {len(report.rejected)}")
    for line, reason in report.rejected:
        click.echo(f"  line {line}: {reason}", err=True)


@click.group("clients")
def clients_group():
    """Booking clients."""


@clients_group.command("import")
@click.argument("tenant")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def clients_import(tenant, file):
    """Upsert clients from CSV (id, first_name, last_name, phone, email, marketing_opt_out)."""
    _run_import(tenant, file, client_import)


@click.group("appointments")
def appointments_group():
    """Appointments."""


@appointments_group.command("import")
@click.argument("tenant")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def appointments_import(tenant, file):
    """Upsert appointments from CSV (id, client_id|client_phone, starts_at, ends_at, ...)."""
    _run_import(tenant, file, appointment_import)


COMMANDS = (clients_group, appointments_group)
