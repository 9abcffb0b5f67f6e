"""Which stored webhook events to hand to the worker once the current transaction commits.

The worker must never see an id before its row (or its reset for a replay) is committed, and a rolled
back transaction must enqueue nothing; app.jobs.webhooks drains this list from the session's commit hook.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.extensions import db

_KEY = "webhook_events_to_enqueue"


def schedule_processing(event_id: str, delay: float | None = None) -> None:
    """Enqueue processing of the event after commit (after `delay` seconds when given)."""
    db.session.info.setdefault(_KEY, []).append((event_id, delay))


def take_scheduled(session: Session) -> list[tuple[str, float | None]]:
    """The (event id, delay) pairs scheduled in this session, forgetting them."""
    return session.info.pop(_KEY, [])
