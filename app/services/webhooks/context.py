"""What a webhook handler works with: the stored event, its tenant, a lazy Chatwoot client, shared lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select

from app.chatwoot.client import ChatwootClient
from app.chatwoot.errors import ChatwootConfigError, ChatwootError
from app.chatwoot.settings import require_settings
from app.extensions import db
from app.models import ChatwootConfig, ChatwootInteraction, Client, Tenant, WebhookEvent
from app.services.analytics.rollup import forget_days_touched_by
from app.services.contacts.interactions import log_interaction
from app.services.contacts.linking import attributes_for_clients, push_attributes

ACTOR = "chatwoot-webhook"


@dataclass
class EventContext:
    """One event being processed. `problem` holds a failed attribute push: the work is kept, the event retried.

    Handlers write locally only; the attribute pushes they ask for run after the job commits those writes.
    """

    event: WebhookEvent
    tenant: Tenant
    config: ChatwootConfig
    payload: dict
    now: datetime
    when: datetime  # when it happened in Chatwoot (message created_at, conversation updated_at)
    problem: ChatwootError | None = None
    status: str | None = None  # the handler's outcome, recorded once the pushes are done
    to_push: list[Client] = field(default_factory=list)
    _api: ChatwootClient | None = field(default=None, repr=False)
    _api_checked: bool = field(default=False, repr=False)

    @property
    def tenant_id(self) -> str:
        return self.tenant.id

    def api(self) -> ChatwootClient | None:
        """The tenant's Chatwoot client, or None when its credentials are not configured."""
        if not self._api_checked:
            self._api_checked = True
            try:
                # No in-call retries or rate-limit waits: the whole event is retried with backoff instead,
                # so a worker thread never sleeps on Chatwoot.
                self._api = ChatwootClient.from_settings(require_settings(self.tenant_id), retries=0,
                                                         rate_limit_waits=0)
            except ChatwootConfigError:
                self._api = None
        return self._api

    def push(self, client: Client) -> None:
        """Ask for the client's attributes to go to its contact once the event's writes are committed."""
        if client not in self.to_push:
            self.to_push.append(client)

    def push_pending(self) -> None:
        """Push the attributes asked for (call with no transaction open); a failure is kept for a retry."""
        clients = [client for client in self.to_push if client.chatwoot_contact_id]
        api = self.api() if clients else None
        if api is None:
            return
        attributes = attributes_for_clients(clients)  # read everything before the first call
        try:
            for client in clients:
                push_attributes(api, client, attributes[client.id])
        except ChatwootError as exc:
            self.problem = exc

    def log(self, event: str, **fields) -> ChatwootInteraction:
        """An interaction dated when it happened in Chatwoot, so late arrivals sort where they belong."""
        row = log_interaction(self.tenant_id, event, **fields)
        row.created_at = self.when
        forget_days_touched_by(row, self.tenant.timezone)  # a late message changes a finished day's figures
        return row

    def close(self) -> None:
        if self._api is not None:
            self._api.close()


def clip(text: str | None, length: int) -> str | None:
    return text[:length] if text else None


def linked_client(tenant_id: str, contact_id: str | None) -> Client | None:
    """The tenant's client already linked to this Chatwoot contact."""
    if contact_id is None:
        return None
    return db.session.scalar(select(Client).where(
        Client.tenant_id == tenant_id, Client.chatwoot_contact_id == contact_id).order_by(Client.id).limit(1))


def message_logged(tenant_id: str, message_id: str | None) -> bool:
    """Whether an interaction for this Chatwoot message exists (handled before, or sent by us)."""
    if message_id is None:
        return False
    return bool(db.session.scalar(select(exists().where(ChatwootInteraction.tenant_id == tenant_id,
                                                        ChatwootInteraction.message_id == message_id))))
