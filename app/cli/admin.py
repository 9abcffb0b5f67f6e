"""flask tenant …, flask user …, flask secrets rotate, flask setup."""

from __future__ import annotations

import secrets
import sys

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from app.cli import fail
from app.extensions import db
from app.models import ChatwootConfig, NotificationSettings, Role, Tenant, User
from app.services.accounts.tenants import TenantError, create_tenant, create_user, require_tenant


@click.group("tenant")
def tenant_group():
    """Salons (tenants)."""


@tenant_group.command("create")
@click.argument("name")
@click.option("--slug")
@click.option("--timezone", default="America/Mexico_City", show_default=True)
@click.option("--region", default="MX", show_default=True, help="Phone region for numbers without +code")
@with_appcontext
def tenant_create(name, slug, timezone, region):
    """Create a tenant with its settings rows."""
    try:
        tenant = create_tenant(name, slug=slug, timezone=timezone, region=region)
    except TenantError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"{tenant.id}\t{tenant.slug}\t{tenant.name}")


@tenant_group.command("list")
@with_appcontext
def tenant_list():
    """Print every tenant's id, slug and name."""
    for tenant in db.session.scalars(select(Tenant).order_by(Tenant.slug)):
        click.echo(f"{tenant.id}\t{tenant.slug}\t{tenant.name}\t{tenant.timezone}\t{tenant.phone_region}")


@click.group("user")
def user_group():
    """Dashboard users."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([Role.ADMIN, Role.STAFF]), required=True)
@click.option("--tenant", "tenant_refs", multiple=True, help="Tenant id or slug (repeatable)")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
@with_appcontext
def user_create(email, role, tenant_refs, password_stdin):
    """Create a user; staff see only the tenants given."""
    try:
        tenants = [require_tenant(ref) for ref in tenant_refs]
        if role == Role.STAFF and not tenants:
            raise TenantError("a staff user needs at least one --tenant")
        user = create_user(email, _read_password(password_stdin), role=role, tenants=tenants)
    except TenantError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"{user.id}\t{user.email}\t{user.role}")


@click.group("secrets")
def secrets_group():
    """Secrets at rest."""


@secrets_group.command("rotate")
@with_appcontext
def secrets_rotate():
    """Re-encrypt every stored secret with the first ENCRYPTION_KEYS key."""
    from app.crypto import SecretDecryptError, rotate

    count = 0
    for model in (ChatwootConfig, NotificationSettings):
        for row in db.session.scalars(select(model)):
            for column in model.__secret_columns__:
                try:
                    setattr(row, column, rotate(getattr(row, column)))
                except SecretDecryptError as exc:
                    fail(f"{model.__tablename__} {row.id} {column}: {exc}")
                count += bool(getattr(row, column))
    db.session.commit()
    click.echo(f"Re-encrypted {count} secret(s) with the first key.")


@click.command("setup")
@click.option("--demo/--no-demo", default=True, help="Create the demo tenant and admin on first run")
@with_appcontext
def setup(demo):
    """Apply migrations; on first run create a demo tenant and an admin with a random password."""
    upgrade()
    if not demo or db.session.scalar(select(User.id).limit(1)):
        return
    from app.cli.demo import create_demo_data

    password = secrets.token_urlsafe(12)
    admin_email = "admin@citaplanner.local"
    create_demo_data(admin_email, password)
    db.session.commit()
    click.echo("=" * 64)
    click.echo("First run: demo salon and administrator created.")
    click.echo(f"  Email:    {admin_email}")
    click.echo(f"  Password: {password}")
    click.echo("This password is shown only once. Keep it.")
    click.echo("=" * 64)


COMMANDS = (tenant_group, user_group, secrets_group, setup)
