"""The seed's chatwootClientMatcher in Python: find the client behind a phone, sync all clients."""

from __future__ import annotations

from app.extensions import db
from app.models import Client
from app.services.accounts.tenants import require_tenant
from app.services.contacts.matching import MatchReason, PhoneMatch, match_phone
from app.services.sync.runs import SyncResult, create_run, result_of, run_sync


class ChatwootClientMatcher:
    """Stateless: safe across threads and tenants (work inside an application context)."""

    def match(self, phone: str | None, tenant_id: str) -> PhoneMatch:
        """The match with its reason (matched, no_phone, invalid_phone, no_match, ambiguous) and candidates.

        `tenant_id` is the tenant's id or slug; an unknown one raises TenantError.
        """
        return match_phone(phone, require_tenant(tenant_id).id)

    def find_client_by_phone(self, phone: str | None, tenant_id: str) -> Client | None:
        """The one client with this phone (indexed lookup on the canonical key); None if none or several."""
        found = self.match(phone, tenant_id)
        return found.client if found.reason == MatchReason.MATCHED else None

    def sync_all_clients_to_chatwoot(self, tenant_id: str) -> SyncResult:
        """Run a whole contact sync now, in this process (the dashboard queues it for the worker instead)."""
        run = create_run(tenant_id)
        db.session.commit()
        return result_of(run_sync(run.id))


chatwoot_client_matcher = ChatwootClientMatcher()
