"""Chatwoot edits flow back (INTERFACES §9, off by default): an agent's name or email fix reaches the client.

Only `name` and `email` listed in `changed_attributes` count, and only a value that differs from the client's:
our own attribute push changes custom_attributes alone, and a name Chatwoot merely echoes back is no edit.
"""

from __future__ import annotations

from app.chatwoot import payloads as wp
from app.chatwoot.payloads import ContactInfo
from app.models import Client
from app.services.audit import record
from app.services.webhooks.context import ACTOR, EventContext, clip

EDITABLE = {"name", "email"}


def _email(value: str | None) -> str | None:
    """A plausible address, lower-cased; None (no change) for anything else."""
    value = (value or "").strip()
    return value.lower()[:254] if "@" in value and " " not in value else None


def _name_changes(client: Client, name: str | None) -> dict:
    name = " ".join((name or "").split())
    if not name or name == client.full_name:
        return {}
    first, _, last = name.partition(" ")
    return {"first_name": clip(first, 120), "last_name": clip(last, 120) or ""}


def _changes(client: Client, contact: ContactInfo, keys: set[str]) -> dict:
    changes = _name_changes(client, contact.name) if "name" in keys else {}
    email = _email(contact.email) if "email" in keys else None
    if email and email != (client.email or "").lower():
        changes["email"] = email
    return changes


def apply_contact_edits(ctx: EventContext, client: Client, contact: ContactInfo) -> dict:
    """Copy an agent's name/email edit onto the client when the tenant allows it; audited. Returns the changes."""
    keys = wp.changed_keys(ctx.payload) & EDITABLE
    if not keys or not ctx.config.accept_contact_edits:
        return {}
    changes = _changes(client, contact, keys)
    if not changes:
        return {}
    before = {field: getattr(client, field) for field in changes}
    for field, value in changes.items():
        setattr(client, field, value)
    record("client.chatwoot_edit", tenant_id=ctx.tenant_id, by=ACTOR, target_type="client", target_id=client.id,
           contact_id=contact.id, before=before, after=changes)
    return changes
