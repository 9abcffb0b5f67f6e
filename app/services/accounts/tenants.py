"""Creating tenants and users, switching a user's access, and resolving a TENANT argument (id or slug).

Each change records its audit line here, so the dashboard and the CLI are audited alike.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo

from sqlalchemy import or_, select

from app.extensions import db
from app.models import ChatwootConfig, NotificationSettings, Role, Tenant, TenantMembership, User
from app.phone import configured_region
from app.services.audit import record


class TenantError(ValueError):
    """A tenant or user cannot be created, changed or found as asked."""


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "salon"


def create_tenant(name: str, slug: str | None = None, timezone: str = "America/Mexico_City",
                  region: str | None = None, *, by: User | str | None = None) -> Tenant:
    """Create a tenant with its notification_settings and chatwoot_configs rows (audited; region:
    DEFAULT_PHONE_REGION unless given)."""
    name = name.strip()
    if not name:
        raise TenantError("tenant name is empty")
    slug = slugify(slug or name)
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)):
        raise TenantError(f"slug already in use: {slug}")
    if timezone not in zoneinfo.available_timezones():
        raise TenantError(f"unknown time zone: {timezone}")
    region = (region or configured_region()).strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", region):
        raise TenantError(f"phone region must be a two-letter country code: {region}")
    tenant = Tenant(name=name, slug=slug, timezone=timezone, phone_region=region)
    db.session.add(tenant)
    db.session.flush()
    db.session.add_all([NotificationSettings(tenant_id=tenant.id), ChatwootConfig(tenant_id=tenant.id)])
    record("tenant.create", tenant_id=tenant.id, by=by, target_type="tenant", target_id=tenant.id, name=name,
           slug=slug)
    db.session.flush()
    return tenant


def find_tenant(ref: str) -> Tenant | None:
    """A tenant by id or slug."""
    return db.session.scalar(select(Tenant).where(or_(Tenant.id == ref, Tenant.slug == ref)))


def require_tenant(ref: str) -> Tenant:
    tenant = find_tenant(ref)
    if tenant is None:
        raise TenantError(f"no tenant with id or slug {ref!r}")
    return tenant


MIN_PASSWORD_LENGTH = 10


def _require_strong(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise TenantError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")


def create_user(email: str, password: str, role: str = Role.STAFF, tenants: list[Tenant] = (), *,
                by: User | str | None = None) -> User:
    """Create a dashboard user (audited); staff see only the tenants given."""
    email = email.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise TenantError(f"not an email address: {email}")
    if role not in (Role.ADMIN, Role.STAFF):
        raise TenantError("role must be admin or staff")
    _require_strong(password)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise TenantError(f"user already exists: {email}")
    user = User(email=email, role=role)
    user.set_password(password)
    user.memberships = [TenantMembership(tenant_id=t.id) for t in tenants]
    db.session.add(user)
    db.session.flush()
    record("user.create", tenant_id=None, by=by, target_type="user", target_id=user.id, email=email, role=role,
           tenants=[t.slug for t in tenants])
    return user


def reset_password(email: str, password: str, *, by: User | str | None = None) -> User:
    """Give a user a new password (audited); every session they had ends."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise TenantError(f"no user with email {email}")
    _require_strong(password)
    user.set_password(password)
    record("user.set_password", tenant_id=None, by=by, target_type="user", target_id=user.id, email=user.email)
    db.session.flush()
    return user


def set_active(user: User, active: bool, *, by: User) -> None:
    """Turn a user's access on or off (audited); nobody can switch themselves off. Switching off ends
    the user's sessions, so switching on again does not revive a cookie taken meanwhile."""
    if user.id == by.id and not active:
        raise TenantError("cannot deactivate yourself")
    if user.active != active:
        user.active = active
        if not active:
            user.end_sessions()
        record("user.activate" if active else "user.deactivate", tenant_id=None, by=by, target_type="user",
               target_id=user.id, email=user.email)
    db.session.flush()
