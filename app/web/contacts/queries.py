"""What the contacts pages show: linked clients, the unmatched queue, and the facts beside each row."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.chatwoot.settings import resolve_settings
from app.extensions import db
from app.models import AuditLog, ChatwootInteraction, Client, Tenant, UnmatchedContact, UnmatchedStatus, User
from app.services.listing import Page, keyset_page, rows_by_id

UNMATCHED_FILTERS = tuple(UnmatchedStatus)


@dataclass
class LinkedView:
    page: Page
    last_interaction: dict[str, object]
    last_audit: dict[str, AuditLog]
    chatwoot_base: str | None


@dataclass
class UnmatchedView:
    page: Page
    status: str
    candidates: dict[str, Client]
    resolved_by: dict[str, str]


def chatwoot_app_base(tenant_id: str) -> str | None:
    """'<api_url>/app/accounts/<account_id>' for links into Chatwoot; None until configured (no network)."""
    settings = resolve_settings(tenant_id)
    if not (settings.api_url and settings.account_id):
        return None
    return f"{settings.api_url}/app/accounts/{settings.account_id}"


def linked_clients(tenant: Tenant, cursor: str | None) -> LinkedView:
    """Clients linked to a Chatwoot contact, most recently linked first (index tenant_id, linked_at, id)."""
    query = select(Client).where(Client.tenant_id == tenant.id, Client.chatwoot_linked_at.is_not(None),
                                 Client.chatwoot_contact_id.is_not(None))
    page = keyset_page(query, Client.chatwoot_linked_at, Client.id, cursor)
    ids = [c.id for c in page.items]
    return LinkedView(page, _last_interactions(ids), _last_audits(tenant.id, ids), chatwoot_app_base(tenant.id))


def _last_interactions(client_ids: list[str]) -> dict[str, object]:
    if not client_ids:
        return {}
    rows = db.session.execute(
        select(ChatwootInteraction.client_id, func.max(ChatwootInteraction.created_at))
        .where(ChatwootInteraction.client_id.in_(client_ids)).group_by(ChatwootInteraction.client_id))
    return dict(rows.all())


def _last_audits(tenant_id: str, client_ids: list[str]) -> dict[str, AuditLog]:
    """The newest link/unlink audit line per client (index object_type, object_id, created_at)."""
    if not client_ids:
        return {}
    rows = db.session.scalars(
        select(AuditLog).where(AuditLog.object_type == "client", AuditLog.object_id.in_(client_ids),
                               AuditLog.tenant_id == tenant_id, AuditLog.action.like("client.%link%"))
        .order_by(AuditLog.created_at))
    return {row.object_id: row for row in rows}


def unmatched_contacts(tenant: Tenant, status: str, cursor: str | None) -> UnmatchedView:
    """The unmatched queue in one status, most recently seen first."""
    status = status if status in UNMATCHED_FILTERS else UnmatchedStatus.WAITING
    query = select(UnmatchedContact).where(UnmatchedContact.tenant_id == tenant.id, UnmatchedContact.status == status)
    page = keyset_page(query, UnmatchedContact.last_seen_at, UnmatchedContact.id, cursor)
    candidates = rows_by_id(Client, tenant.id, _candidate_ids(page.items))
    return UnmatchedView(page, status, candidates, _user_emails(page.items))


def _candidate_ids(rows: list[UnmatchedContact]) -> set[str]:
    ids = {cid for row in rows for cid in (row.candidate_client_ids or [])}
    return ids | {row.resolved_client_id for row in rows if row.resolved_client_id}


def _user_emails(rows: list[UnmatchedContact]) -> dict[str, str]:
    ids = {row.resolved_by_id for row in rows if row.resolved_by_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())
