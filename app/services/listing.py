"""Keyset pagination for dashboard lists: newest first by (timestamp, id), never OFFSET."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select

from app.extensions import db

DEFAULT_PAGE_SIZE = 50


@dataclass
class Page:
    """One page of rows and the cursor of the next (older) page, None on the last page."""

    items: list[Any]
    next_cursor: str | None


def encode_cursor(at: datetime, row_id: str) -> str:
    """The cursor after a row: '<ISO-8601 UTC>|<id>'."""
    return f"{at.astimezone(UTC).isoformat()}|{row_id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """(timestamp, id) from a cursor; None for a missing or malformed one (the first page)."""
    stamp, sep, row_id = (cursor or "").partition("|")
    if not sep or not row_id:
        return None
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)), row_id


def keyset_page(query: Select, time_col, id_col, cursor: str | None = None,
                limit: int = DEFAULT_PAGE_SIZE) -> Page:
    """Rows of `query` older than the cursor, newest first; `query` selects one entity."""
    after = decode_cursor(cursor)
    if after is not None:
        at, row_id = after
        # "<= at AND (< at OR id < row_id)": the leading range keeps the (…, time, id) index usable.
        query = query.where(time_col <= at, or_(time_col < at, and_(time_col == at, id_col < row_id)))
    rows = db.session.scalars(query.order_by(time_col.desc(), id_col.desc()).limit(limit + 1)).all()
    items = list(rows[:limit])
    more = len(rows) > limit
    last = items[-1] if items and more else None
    return Page(items, encode_cursor(getattr(last, time_col.key), getattr(last, id_col.key)) if last else None)


def rows_by_id(model, tenant_id: str, ids) -> dict[str, Any]:
    """{id: row} for the rows of one tenant among `ids`, looked up by primary key.

    Filtering the tenant in Python is deliberate: given "tenant_id = ? AND id IN (...)", SQLite (without
    ANALYZE statistics) prefers a tenant_id index and reads every row of the tenant.
    """
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = db.session.scalars(select(model).where(model.id.in_(wanted)))
    return {row.id: row for row in rows if row.tenant_id == tenant_id}
