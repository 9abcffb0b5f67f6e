"""Reading webhook deliveries: keyset pages, and the raw body made readable."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.chatwoot.settings import app_base_url
from app.models import Tenant, WebhookEvent, WebhookStatus
from app.services.listing import Page, keyset_page

STATUSES = tuple(WebhookStatus)


def events_page(tenant: Tenant, status: str | None, cursor: str | None) -> Page:
    """Deliveries newest first; the status filter uses the (tenant_id, status, received_at) index."""
    query = select(WebhookEvent).where(WebhookEvent.tenant_id == tenant.id)
    if status in STATUSES:
        query = query.where(WebhookEvent.status == status)
    return keyset_page(query, WebhookEvent.received_at, WebhookEvent.id, cursor)


def pretty_body(raw: str) -> str:
    """The body as indented JSON when it parses, else exactly as received.

    A body kept from before intake refused lone surrogates (\\ud800) would give text that cannot be
    sent as UTF-8; it is shown with its escapes then."""
    try:
        pretty = json.dumps(json.loads(raw), indent=2, ensure_ascii=False, sort_keys=True)
        pretty.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=True, sort_keys=True)
    except (ValueError, RecursionError):
        return raw
    return pretty


def webhook_url() -> str:
    """The URL to paste in Chatwoot → Settings → Integrations → Webhooks."""
    return app_base_url() + "/api/webhooks/chatwoot"
