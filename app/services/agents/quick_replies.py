"""Quick replies (INTERFACES §9): the tenant's message templates published as Chatwoot canned responses.

Any write to a tenant's templates (Configuración, CLI, SQL through the ORM) asks the worker, after commit,
to bring Chatwoot in step: create what is missing, update what changed, delete what is no longer ours to
publish. Only the canned responses recorded in `quick_replies` (or carrying one of our short codes) are
touched; the account's other canned responses are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import NotificationTemplate, NotificationType, QuickReply, Tenant
from app.queue import enqueue_after_commit
from app.services.notifications.templates import PLACEHOLDER, template_body

PUBLISH_TASK = "publish_quick_replies"
# The template's short name: what agents type after "/" in Chatwoot's reply box.
SHORT_CODES = {
    NotificationType.APPOINTMENT_CONFIRMATION: "cp_confirmacion",
    NotificationType.APPOINTMENT_REMINDER: "cp_recordatorio",
    NotificationType.APPOINTMENT_CANCELLATION: "cp_cancelacion",
    NotificationType.APPOINTMENT_RESCHEDULED: "cp_reprogramacion",
    NotificationType.MARKETING: "cp_promocion",
}
_QUEUED = "quick_replies_queued"


def _for_agents(body: str, tenant: Tenant) -> str:
    """Our variables in Chatwoot's terms: the contact's name and the salon's; the rest stays for the agent."""
    known = {"clientName": "{{contact.name}}", "salonName": tenant.name}
    return PLACEHOLDER.sub(lambda m: known.get(m.group(1), m.group(0)), body)


def desired_replies(tenant: Tenant) -> dict[str, str]:
    """{short_code: content} for every published template (the tenant's own text, else the default)."""
    return {code: _for_agents(template_body(tenant.id, kind), tenant) for kind, code in SHORT_CODES.items()}


@dataclass(frozen=True)
class PublishPlan:
    desired: dict[str, str]
    known: dict[str, int]  # short_code -> canned response id we published before


def publish_plan(tenant_id: str) -> PublishPlan | None:
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        return None
    known = {r.short_code: r.canned_response_id
             for r in db.session.scalars(select(QuickReply).where(QuickReply.tenant_id == tenant_id))}
    return PublishPlan(desired_replies(tenant), known)


def record_published(tenant_id: str, published: dict[str, int]) -> None:
    """Remember exactly the canned responses that are now ours ({short_code: id})."""
    rows = {r.short_code: r for r in db.session.scalars(select(QuickReply).where(QuickReply.tenant_id == tenant_id))}
    for code, row in rows.items():
        if code not in published:
            db.session.delete(row)
    for code, canned_id in published.items():
        if code in rows:
            rows[code].canned_response_id = canned_id
        else:
            db.session.add(QuickReply(tenant_id=tenant_id, short_code=code, canned_response_id=canned_id))


def request_publish(tenant_id: str) -> None:
    """Queue one publish per tenant per transaction."""
    queued = db.session.info.setdefault(_QUEUED, set())
    if tenant_id not in queued:
        queued.add(tenant_id)
        enqueue_after_commit(PUBLISH_TASK, tenant_id)


@event.listens_for(Session, "before_flush")
def _templates_touched(session: Session, _context, _instances) -> None:
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, NotificationTemplate) and obj.type in SHORT_CODES:
            request_publish(obj.tenant_id)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop(_QUEUED, None)
