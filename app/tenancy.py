"""The one place that scopes dashboard queries to the tenant a user may see."""

from __future__ import annotations

from flask import abort, g
from sqlalchemy import Select, select

from app.extensions import db
from app.models import Tenant, TenantMembership, User


def tenants_for(user: User) -> Select:
    """The tenants a user may open: all for admins, their memberships for staff."""
    query = select(Tenant).order_by(Tenant.name)
    if not user.is_admin:
        query = query.join(TenantMembership, TenantMembership.tenant_id == Tenant.id).where(
            TenantMembership.user_id == user.id
        )
    return query


def tenant_for_user_or_404(user: User, slug: str) -> Tenant:
    tenant = db.session.scalar(tenants_for(user).where(Tenant.slug == slug))
    if tenant is None:
        abort(404)
    return tenant


def scoped(model) -> Select:
    """select(model) limited to the current request's tenant."""
    return select(model).where(model.tenant_id == g.tenant.id)


def get_scoped_or_404(model, object_id: str):
    """One object of the current tenant; another tenant's object is a 404, never a 403."""
    obj = db.session.scalar(scoped(model).where(model.id == object_id))
    if obj is None:
        abort(404)
    return obj
