"""The worker's units of work: each job claims its row, commits, calls Chatwoot, writes briefly, commits.

Tasks register by name in app.queue (app_task); code below this layer enqueues them by name through
app.queue.enqueue_after_commit, so nothing imports app.jobs from below.
"""

from __future__ import annotations

from app.extensions import db
from app.queue import app_task


@app_task()
def ping(value: str) -> str:
    """A trivial job: proves a worker consumes the queue (used by tests and /healthz tooling)."""
    from app.models import AuditLog

    db.session.add(AuditLog(actor="worker", action="queue.ping", details={"value": value}))
    db.session.commit()
    return value


from app.jobs import (  # noqa: E402,F401  (register the tasks and their sweepers)
    agents,
    analytics,
    attributes,
    automations,
    contacts,
    notifications,
    quick_replies,
    sync,
    webhooks,
)
