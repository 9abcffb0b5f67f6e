"""flask clients import, flask appointments import."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli import fail
from app.extensions import db
from app.services.accounts.tenants import TenantError, require_tenant
from app.services.clients.imports import ImportFileError, ImportReport, import_appointments, import_clients


def _run_import(tenant_ref: str, path: str, importer) -> None:
    try:
        tenant = require_tenant(tenant_ref)
        report: ImportReport = importer(tenant, Path(path))
    except TenantError as exc:
        fail(str(exc))
    except ImportFileError as exc:
        db.session.rollback()
        fail(str(exc), code=2)
    db.session.commit()
    click.echo(f"created: {report.created}  updated: {report.updated}  rejected: {len(report.rejected)}")
    for line, reason in report.rejected:
        click.echo(f"  line {line}: {reason}", err=True)
    if report.rejected:
        raise SystemExit(1)


@click.group("clients")
def clients_group():
    """Booking clients."""


@clients_group.command("import")
@click.argument("tenant")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def clients_import(tenant, file):
    """Upsert clients from CSV (id, first_name, last_name, phone, email, marketing_opt_out)."""
    _run_import(tenant, file, import_clients)


@click.group("appointments")
def appointments_group():
    """Appointments."""


@appointments_group.command("import")
@click.argument("tenant")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def appointments_import(tenant, file):
    """Upsert appointments from CSV (id, client_id|client_phone, starts_at, ends_at, ...)."""
    _run_import(tenant, file, import_appointments)


COMMANDS = (clients_group, appointments_group)
