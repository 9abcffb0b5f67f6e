"""The Dashboard App panel (INTERFACES §9): what an agent sees about the contact of the open conversation.

The URL's token names the tenant; the page has no session. The conversation context comes from Chatwoot in
the browser, so the page only ever answers about contacts of the tenant's own Chatwoot account: a context
from another account, or a contact linked to nobody here, reveals nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.chatwoot.settings import app_base_url, resolve_settings
from app.extensions import db
from app.models import Appointment, ChatwootConfig, Client, Notification, Tenant, User, utcnow
from app.services.attributes.freshness import mark_due
from app.services.audit import record
from app.services.contacts.linking import link_client
from app.services.contacts.matching import MatchReason, match_phone

PAST_SHOWN = 5
NOTIFICATIONS_SHOWN = 10


def panel_url(tenant: Tenant, rotate: bool = False, *, by: User | str | None = None) -> str:
    """The Dashboard App URL; a new token (the old URL stops working) when rotating (audited) or never made."""
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))
    if config is None:
        config = ChatwootConfig(tenant_id=tenant.id)
        db.session.add(config)
    if rotate or not config.panel_token:
        config.panel_token = secrets.token_urlsafe(32)
    if rotate:
        record("settings.panel_token_rotated", tenant_id=tenant.id, by=by, target_type="tenant", target_id=tenant.id)
    return f"{app_base_url()}/chatwoot/app/{config.panel_token}"


def tenant_for_panel(token: str) -> Tenant | None:
    if not token:
        return None
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.panel_token == token))
    return db.session.get(Tenant, config.tenant_id) if config else None


def chatwoot_origin(tenant_id: str) -> str | None:
    """scheme://host[:port] of the tenant's Chatwoot: the only page allowed to frame the panel."""
    url = resolve_settings(tenant_id).api_url
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class PanelView:
    client: Client | None = None
    upcoming: list[Appointment] = field(default_factory=list)
    past: list[Appointment] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    likely: Client | None = None
    link_action: str | None = None


def _appointments(client: Client) -> tuple[list[Appointment], list[Appointment]]:
    now = utcnow()
    mine = select(Appointment).where(Appointment.client_id == client.id)
    upcoming = db.session.scalars(mine.where(Appointment.starts_at >= now).order_by(Appointment.starts_at))
    past = db.session.scalars(mine.where(Appointment.starts_at < now).order_by(Appointment.starts_at.desc())
                              .limit(PAST_SHOWN))
    return list(upcoming), list(past)


def panel_view(tenant: Tenant, account_id: str | None, contact_id: str | None, phone: str | None) -> PanelView:
    """The linked client with her appointments and notifications, else the likely client by phone."""
    if not contact_id or str(account_id or "") != (resolve_settings(tenant.id).account_id or ""):
        return PanelView()
    client = db.session.scalar(select(Client).where(Client.tenant_id == tenant.id,
                                                    Client.chatwoot_contact_id == str(contact_id)))
    if client is None:
        match = match_phone(phone, tenant.id, tenant.phone_region)
        likely = match.client if match.reason == MatchReason.MATCHED and not match.client.chatwoot_contact_id else None
        return PanelView(likely=likely, link_action=link_action(tenant, contact_id, likely) if likely else None)
    upcoming, past = _appointments(client)
    notifications = db.session.scalars(select(Notification).where(Notification.client_id == client.id)
                                       .order_by(Notification.created_at.desc()).limit(NOTIFICATIONS_SHOWN))
    return PanelView(client, upcoming, past, list(notifications))


# The panel has no session: its one write, linking the likely client, carries a signed token that names the
# tenant, the contact and the client, and is good for nothing else (its own salt) and not for long.
LINK_SALT = "chatwoot-panel-link"
LINK_MAX_AGE = 30 * 60


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=LINK_SALT)


def link_action(tenant: Tenant, contact_id: str, client: Client) -> str:
    return _signer().dumps({"tenant": tenant.id, "contact": str(contact_id), "client": client.id})


def link_from_action(tenant: Tenant, action: str) -> Client | None:
    """Link the client the token names to its contact; None for a bad, stale or foreign token or a taken link."""
    try:
        data = _signer().loads(action or "", max_age=LINK_MAX_AGE)
    except BadSignature:
        return None
    client = db.session.get(Client, data.get("client")) if data.get("tenant") == tenant.id else None
    if client is None or client.tenant_id != tenant.id or client.chatwoot_contact_id:
        return None
    taken = db.session.scalar(select(Client.id).where(Client.tenant_id == tenant.id,
                                                      Client.chatwoot_contact_id == data["contact"]))
    if taken:
        return None
    link_client(None, client, data["contact"], actor="chatwoot-panel")
    mark_due(client)  # the worker pushes her attributes to the contact
    return client
