"""Keeping the analytics roll-ups: each sweep stores the finished days a tenant is missing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Tenant, utcnow
from app.queue import register_sweeper
from app.services.analytics.rollup import roll_up


@register_sweeper
def roll_up_analytics() -> None:
    """Per tenant in its own short transaction; another worker storing the same day first is fine."""
    tenant_ids = list(db.session.scalars(select(Tenant.id)))
    db.session.commit()
    for tenant_id in tenant_ids:
        try:
            roll_up(db.session.get(Tenant, tenant_id), utcnow())
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
