"""flask tenant …, flask user …, flask secrets rotate, flask setup."""

from __future__ import annotations

import secrets
import sys

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.cli import committed
from app.extensions import db
from app.models import Role, Tenant, TenantMembership, User
from app.services.accounts.tenants import TenantError, create_tenant, create_user, require_tenant, reset_password
from app.services.settings.secrets import SecretRotationError, rotate_secrets


@click.group("tenant")
def tenant_group():
    """Salons (tenants)."""


@tenant_group.command("create")
@click.argument("name")
@click.option("--slug")
@click.option("--timezone", default="America/Mexico_City", show_default=True)
@click.option("--region", help="Phone region for numbers without +code  [default: DEFAULT_PHONE_REGION]")
@with_appcontext
def tenant_create(name, slug, timezone, region):
    """Create a tenant with its settings rows."""
    with committed(TenantError):
        tenant = create_tenant(name, slug=slug, timezone=timezone, region=region, by="cli")
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
@click.option("--role", type=click.Choice([Role.ADMIN.value, Role.STAFF.value], case_sensitive=False),
              required=True)
@click.option("--tenant", "tenant_refs", multiple=True, help="Tenant id or slug (repeatable)")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
@with_appcontext
def user_create(email, role, tenant_refs, password_stdin):
    """Create a user; staff see only the tenants given."""
    with committed(TenantError):
        tenants = [require_tenant(ref) for ref in tenant_refs]
        if role == Role.STAFF and not tenants:
            raise TenantError("a staff user needs at least one --tenant")
        user = create_user(email, _read_password(password_stdin), role=role, tenants=tenants, by="cli")
    click.echo(f"{user.id}\t{user.email}\t{user.role}")


def _tenant_column(user: User) -> str:
    if user.is_admin:
        return "*"  # administrators see every tenant
    return ",".join(sorted(m.tenant.slug for m in user.memberships)) or "-"


@user_group.command("list")
@with_appcontext
def user_list():
    """Print every user's email, role, tenants (* for all) and whether they may log in."""
    users = db.session.scalars(select(User).order_by(User.email).options(
        selectinload(User.memberships).selectinload(TenantMembership.tenant)))
    for user in users:
        state = "active" if user.active else "inactive"
        click.echo(f"{user.email}\t{user.role}\t{_tenant_column(user)}\t{state}")


@user_group.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input")
@with_appcontext
def user_set_password(email, password_stdin):
    """Reset a lost password (generated and printed once, unless read from stdin); ends the user's sessions."""
    password = _read_password(True) if password_stdin else secrets.token_urlsafe(12)
    with committed(TenantError):
        user = reset_password(email, password, by="cli")
    if not password_stdin:
        click.echo(f"Password: {password}")
        click.echo("This password is shown only once. Keep it.")
    click.echo(f"New password set for {user.email}; every session of this user has ended.")


@click.group("secrets")
def secrets_group():
    """Secrets at rest."""


@secrets_group.command("rotate")
@with_appcontext
def secrets_rotate():
    """Re-encrypt every stored secret with the first ENCRYPTION_KEYS key."""
    with committed(SecretRotationError):
        count = rotate_secrets(by="cli")
    click.echo(f"Re-encrypted {count} secret(s) with the first key.")


@click.command("setup")
@click.option("--demo/--no-demo", default=True, help="Create the demo tenant and admin on first run")
@with_appcontext
def setup(demo):
    """Apply migrations; on first run create a demo tenant and an admin with a random password."""
    upgrade()
    if not demo or db.session.scalar(select(User.id).limit(1)):
        return
    from app.chatwoot.settings import app_base_url
    from app.cli.demo import create_demo_data, wire_demo

    password = secrets.token_urlsafe(12)
    admin_email = "admin@citaplanner.local"
    with committed():
        create_demo_data(admin_email, password)
    wire_demo(app_base_url())
    click.echo("=" * 64)
    click.echo("First run: demo salon and administrator created.")
    click.echo(f"  Email:    {admin_email}")
    click.echo(f"  Password: {password}")
    click.echo("This password is shown only once. Keep it.")
    click.echo("=" * 64)


COMMANDS = (tenant_group, user_group, secrets_group, setup)
