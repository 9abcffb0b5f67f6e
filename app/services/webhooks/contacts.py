"""Who is this Chatwoot contact? Match by phone, link and push, or queue for staff; contact events."""

from __future__ import annotations

from app.chatwoot import payloads as wp
from app.chatwoot.payloads import ContactInfo
from app.models import Client, WebhookStatus
from app.services.audit import record
from app.services.clients.records import RecordError, upsert_client
from app.services.contacts.linking import link_client
from app.services.contacts.matching import MatchReason, PhoneMatch, match_phone
from app.services.contacts.unmatched import find_unmatched, record_unmatched, resolve_by_match
from app.services.webhooks.contact_edits import apply_contact_edits
from app.services.webhooks.context import ACTOR, EventContext, clip, linked_client


def link_matched(ctx: EventContext, client: Client, contact: ContactInfo) -> Client:
    """Link the client to the contact and push its attributes (the link is stored even if the push fails)."""
    if client.chatwoot_contact_id and client.chatwoot_contact_id != contact.id:
        # Already linked to another contact (e.g. Chatwoot's +52 and +521 copies of one person):
        # the existing link stays; staff can move it from the dashboard.
        return client
    if client.chatwoot_contact_id != contact.id:
        link_client(None, client, contact.id, actor=ACTOR)
    resolve_by_match(ctx.tenant_id, contact.id, client)
    ctx.push(client)
    return client


def _auto_create(ctx: EventContext, contact: ContactInfo, phone_key: str) -> Client | None:
    """A new client from the contact, only where the tenant turned auto-creation on (off by default)."""
    first, _, last = (contact.name or "").strip().partition(" ")
    email = contact.email if contact.email and "@" in contact.email and " " not in contact.email else None
    try:
        client = upsert_client(ctx.tenant, {"first_name": clip(first, 120) or phone_key,
                                            "last_name": clip(last.strip(), 120) or "", "phone": phone_key,
                                            "email": email}).obj
    except RecordError:
        return None
    record("client.auto_create", tenant_id=ctx.tenant_id, by=ACTOR, target_type="client", target_id=client.id,
           contact_id=contact.id)
    return link_matched(ctx, client, contact)


def identify(ctx: EventContext, contact: ContactInfo, *, message: str | None = None,
             conversation_id: str | None = None, from_message: bool = True) -> Client | None:
    """Link the contact when its phone names exactly one client; otherwise the unmatched queue."""
    match = match_phone(contact.phone, ctx.tenant_id, ctx.tenant.phone_region)
    if match.reason == MatchReason.MATCHED:
        return link_matched(ctx, match.client, contact)
    if match.reason == MatchReason.NO_MATCH and ctx.config.auto_create_clients:
        client = _auto_create(ctx, contact, match.phone_key)
        if client is not None:
            return client
    if from_message or find_unmatched(ctx.tenant_id, contact.id) is not None:
        _queue(ctx, contact, match, message, conversation_id, from_message)
    return None


def _queue(ctx: EventContext, contact: ContactInfo, match: PhoneMatch, message: str | None,
           conversation_id: str | None, from_message: bool) -> None:
    record_unmatched(ctx.tenant_id, contact, str(match.reason), phone_key=match.phone_key,
                     candidate_ids=[c.id for c in match.candidates], message=message,
                     conversation_id=conversation_id, seen_at=ctx.when, count_message=from_message)


def _take_edits(ctx: EventContext, contact: ContactInfo | None) -> bool:
    """A contact_updated of a linked contact: the agent's name/email edit, when the tenant accepts them."""
    if contact is None or ctx.event.event != "contact_updated":
        return False
    client = linked_client(ctx.tenant_id, contact.id)
    changes = apply_contact_edits(ctx, client, contact) if client is not None else {}
    if changes:
        ctx.log("contact_updated", client_id=client.id, contact_id=contact.id, status="client_updated")
    return bool(changes)


def on_contact_event(ctx: EventContext) -> str:
    """contact_created with a phone, or contact_updated whose phone changed: try to link it."""
    contact = wp.event_contact(ctx.payload)
    edited = _take_edits(ctx, contact)
    phone_changed = ctx.event.event == "contact_updated" and "phone_number" in wp.changed_keys(ctx.payload)
    created_with_phone = ctx.event.event == "contact_created" and contact is not None and contact.phone
    if contact is None or not (phone_changed or created_with_phone):
        return WebhookStatus.DONE if edited else WebhookStatus.IGNORED
    client = linked_client(ctx.tenant_id, contact.id)
    if client is not None:
        # A linked contact is not matched again; staff see that its phone changed.
        ctx.log(ctx.event.event, client_id=client.id, contact_id=contact.id, phone=clip(contact.phone, 40),
                status="phone_changed" if phone_changed else "linked")
        return WebhookStatus.DONE
    client = identify(ctx, contact, from_message=False)
    if client is None:
        return WebhookStatus.DONE
    ctx.log(ctx.event.event, client_id=client.id, contact_id=contact.id, phone=clip(contact.phone, 40),
            status="linked")
    return WebhookStatus.DONE
