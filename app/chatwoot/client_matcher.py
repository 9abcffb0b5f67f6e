"""The seed's chatwootClientMatcher in Python: find the client behind a phone, sync all clients."""

from __future__ import annotations

import time

from app.extensions import db
from app.models import Client, SyncRun
from app.services.accounts.tenants import require_tenant
from app.services.contacts.matching import MatchReason, PhoneMatch, match_phone
from app.services.sync.runs import ACTIVE, SyncResult, claim_run, open_run, result_of, stale_runs, sync_steps

POLL_SECONDS = 0.5


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
        """Run a whole contact sync now, in this process; when a run is already active, wait for its end.

        A queued run (ours, or one no worker has taken yet) is run here; a running one is waited for, and
        taken over here if its worker stops renewing its lease.
        """
        tenant = require_tenant(tenant_id)
        run, _created = open_run(tenant.id)
        db.session.commit()
        run_id = run.id
        while (run := _run_if_queued(run_id)).status in ACTIVE:
            time.sleep(POLL_SECONDS)
            stale_runs(tenant_id=tenant.id)  # a run whose worker died goes back to queued: we take it
            db.session.commit()
        return result_of(run)


def _run_if_queued(run_id: str) -> SyncRun:
    """Claim and run the sync here when it is queued (the same steps as the worker's job); else its row."""
    run = claim_run(run_id)
    db.session.commit()
    if run is None:
        return db.session.get(SyncRun, run_id, populate_existing=True)
    for _step in sync_steps(run):
        db.session.commit()
    db.session.commit()
    return run


chatwoot_client_matcher = ChatwootClientMatcher()
