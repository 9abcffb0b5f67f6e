"""Unlinking a client without losing track of the attributes left on its Chatwoot contact."""

from __future__ import annotations

from dataclasses import dataclass

from app.chatwoot.client import client_for_tenant
from app.chatwoot.errors import ChatwootError, ChatwootNotFound
from app.models import Client, User
from app.services.audit import audit
from app.services.contacts.linking import unlink_client


@dataclass
class UnlinkOutcome:
    unlinked: bool
    error: str | None = None  # why our attributes could not be cleared in Chatwoot


def unlink(client: Client, user: User, force: bool = False) -> UnlinkOutcome:
    """Unlink and clear our attributes; if Chatwoot cannot clear them, keep the link unless forced."""
    try:
        api = client_for_tenant(client.tenant_id)
    except ChatwootError as exc:
        return _without_chatwoot(client, user, exc.message, force)
    try:
        unlink_client(api, client, user.email, user.id)
    except ChatwootNotFound:
        unlink_client(None, client, user.email, user.id)  # the contact is gone: nothing left to clear
    except ChatwootError as exc:
        return _without_chatwoot(client, user, exc.message, force)
    finally:
        api.close()
    return UnlinkOutcome(True)


def _without_chatwoot(client: Client, user: User, error: str, force: bool) -> UnlinkOutcome:
    if not force:
        return UnlinkOutcome(False, error)
    contact_id = client.chatwoot_contact_id
    unlink_client(None, client, user.email, user.id)
    audit(client.tenant_id, "client.unlink_attributes_left", user.email, user.id, "client", client.id,
          contact_id=contact_id, error=error)
    return UnlinkOutcome(True, error)
