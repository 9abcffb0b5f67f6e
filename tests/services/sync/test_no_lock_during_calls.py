"""A sync never holds SQLite's write lock while it waits on Chatwoot: at every call the simulator receives,
another connection can take the write lock at once."""

from __future__ import annotations

import sqlite3

from app.extensions import db
from app.jobs.sync import run_sync
from app.models import SyncStatus
from app.services.sync.runs import create_run
from tests.chatwoot.conftest import linked_contacts, seed_clients


def test_every_chatwoot_call_of_a_sync_finds_the_database_free(app, wired_tenant, chatwoot):
    seed_clients(wired_tenant, 12)
    # Linked to a contact Chatwoot no longer has: the sync asks for it, then creates one and relinks.
    seed_clients(wired_tenant, 1, prefix="gone", phone=lambda i: "55 3000 0000", chatwoot_contact_id="999999")
    run = create_run(wired_tenant.id)
    db.session.commit()
    path_of_db = db.engine.url.database  # the simulator's thread has no app context
    locked_at: list[str] = []
    probed: list[str] = []
    latency_for = chatwoot.sim.faults.latency_for

    def probe(path: str) -> float:
        other = sqlite3.connect(path_of_db, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError:
            locked_at.append(path)
        finally:
            other.close()
        probed.append(path)
        return latency_for(path)

    chatwoot.sim.faults.latency_for = probe
    assert run_sync(run.id).status == SyncStatus.DONE
    assert len(probed) >= 13 and any(path.endswith("/contacts/999999") for path in probed), probed
    assert locked_at == [], "a Chatwoot call was made while this process held the write lock"
    linked = linked_contacts(wired_tenant)
    assert len(linked) == 13 and all(linked.values()) and "999999" not in linked.values(), "every client is linked"
