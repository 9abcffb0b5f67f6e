"""The audit log: every operation records who did what inside the operation itself.

So the dashboard, the CLI, the booking-system API and the worker are audited the same way.
"""

from __future__ import annotations

from app.extensions import db
from app.models import AuditLog, User


def actor_of(by: User | str | None) -> tuple[str, str | None]:
    """(actor label, user id) for a dashboard user, a named actor ("cli", "api", "worker") or nobody."""
    if isinstance(by, User):
        return by.email, by.id
    return by or "system", None


def record(action: str, *, tenant_id: str | None, by: User | str | None, target_type: str | None = None,
           target_id: str | None = None, user_id: str | None = None, **details) -> None:
    """Add one audit line (flushed with the caller's transaction). `user_id` names the dashboard user a
    process works for when `by` is that process (the worker's sync run that an admin started)."""
    actor, by_user_id = actor_of(by)
    db.session.add(AuditLog(tenant_id=tenant_id, user_id=user_id or by_user_id, actor=actor, action=action,
                            object_type=target_type, object_id=target_id, details=details))
