"""Keyset pagination: cursors round-trip, pages cover every row once in order, ties broken by id."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ChatwootInteraction, Client
from app.services.listing import decode_cursor, encode_cursor, keyset_page, rows_by_id

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_cursor_round_trip_keeps_microseconds_and_utc():
    at = datetime(2025, 3, 1, 6, 0, 0, 123456, tzinfo=UTC)
    cursor = encode_cursor(at, "cabc")
    assert cursor == "2025-03-01T06:00:00.123456+00:00|cabc"
    assert decode_cursor(cursor) == (at, "cabc")


@pytest.mark.parametrize("bad", [None, "", "nonsense", "2025-03-01T06:00:00|", "|cabc", "yesterday|cabc"])
def test_malformed_cursor_means_first_page(bad):
    assert decode_cursor(bad) is None


def test_naive_cursor_time_is_read_as_utc():
    assert decode_cursor("2025-03-01T06:00:00|x") == (datetime(2025, 3, 1, 6, tzinfo=UTC), "x")


def _log(tenant, count, same_time_every=1):
    rows = [ChatwootInteraction(tenant_id=tenant.id, event="message_created", id=f"i{n:04d}",
                                created_at=T0 + timedelta(minutes=n // same_time_every)) for n in range(count)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _all_pages(query, limit):
    seen, cursor = [], None
    while True:
        page = keyset_page(query, ChatwootInteraction.created_at, ChatwootInteraction.id, cursor, limit=limit)
        seen.append([row.id for row in page.items])
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("same_time_every", [1, 4, 1000])
def test_pages_cover_every_row_once_newest_first(tenant, same_time_every):
    rows = _log(tenant, 23, same_time_every)
    pages = _all_pages(select(ChatwootInteraction), limit=5)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    flat = [i for p in pages for i in p]
    expected = sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)
    assert flat == [r.id for r in expected]


def test_exact_multiple_has_no_empty_last_page(tenant):
    _log(tenant, 10)
    pages = _all_pages(select(ChatwootInteraction), limit=5)
    assert [len(p) for p in pages] == [5, 5]


def test_cursor_applies_on_top_of_filters(tenant):
    _log(tenant, 12)
    query = select(ChatwootInteraction).where(ChatwootInteraction.id.in_(["i0001", "i0005", "i0009", "i0011"]))
    first = keyset_page(query, ChatwootInteraction.created_at, ChatwootInteraction.id, limit=2)
    assert [r.id for r in first.items] == ["i0011", "i0009"]
    second = keyset_page(query, ChatwootInteraction.created_at, ChatwootInteraction.id, first.next_cursor, limit=2)
    assert [r.id for r in second.items] == ["i0005", "i0001"] and second.next_cursor is None


def test_rows_by_id_keeps_only_the_tenants_rows(tenant, other_tenant):
    mine = Client(tenant_id=tenant.id, first_name="Ana", phone="5511112222")
    theirs = Client(tenant_id=other_tenant.id, first_name="Eva", phone="5533334444")
    db.session.add_all([mine, theirs])
    db.session.commit()
    assert rows_by_id(Client, tenant.id, [mine.id, theirs.id, None]) == {mine.id: mine}
    assert rows_by_id(Client, tenant.id, []) == {}
