"""Unlinking a client: the link goes at once, the worker clears our attributes from the contact."""

from __future__ import annotations

from app.models import Client, ContactTask, User
from app.services.contacts.linking import unlink_client
from app.services.contacts.tasks import queue_task


def unlink(client: Client, user: User) -> ContactTask:
    """Remove the link now and queue the clearing of our attributes (a failure shows on the task)."""
    contact_id = client.chatwoot_contact_id
    unlink_client(None, client, user.email, user.id)
    return queue_task(client, clear_contact_id=contact_id, by=user)
