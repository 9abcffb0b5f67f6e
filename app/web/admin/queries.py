"""What the administration pages read: tenants, users and the audit log."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Tenant, User
from app.services.listing import Page, keyset_page


def all_tenants() -> list[Tenant]:
    return list(db.session.scalars(select(Tenant).order_by(Tenant.name, Tenant.id)))


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


def audit_page(tenant_id: str | None, cursor: str | None) -> Page:
    """The audit log, newest first; one tenant's lines when asked (indexes on created_at / tenant_id)."""
    query = select(AuditLog)
    if tenant_id:
        query = query.where(AuditLog.tenant_id == tenant_id)
    return keyset_page(query, AuditLog.created_at, AuditLog.id, cursor)


def names_for(page: Page) -> tuple[dict[str, str], dict[str, str]]:
    """({tenant id: name}, {user id: email}) for the rows on a page."""
    tenant_ids = {row.tenant_id for row in page.items if row.tenant_id}
    user_ids = {row.user_id for row in page.items if row.user_id}
    tenants = dict(db.session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(tenant_ids))).all()) \
        if tenant_ids else {}
    users = dict(db.session.execute(select(User.id, User.email).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    return tenants, users
