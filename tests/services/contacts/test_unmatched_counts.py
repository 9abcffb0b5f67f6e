"""Unmatched contacts count every message, even when workers record them concurrently."""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.chatwoot.payloads import ContactInfo
from app.extensions import db
from app.models import UnmatchedContact
from app.services.contacts.unmatched import record_unmatched

WORKERS, MESSAGES = 8, 25


def _record(app, tenant_id: str, contact: ContactInfo, barrier: threading.Barrier) -> None:
    with app.app_context():
        barrier.wait()
        for i in range(MESSAGES):
            while True:  # a locked SQLite snapshot is retried, as the job would be
                try:
                    record_unmatched(tenant_id, contact, "no_match", message=f"hola {i}")
                    db.session.commit()
                    break
                except OperationalError:
                    db.session.rollback()
        db.session.remove()


def test_concurrent_messages_from_one_contact_are_all_counted(app, tenant):
    contact = ContactInfo(id="77", name="Ana", phone="+525511112222", email=None)
    barrier = threading.Barrier(WORKERS)
    threads = [threading.Thread(target=_record, args=(app, tenant.id, contact, barrier)) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    rows = db.session.scalars(select(UnmatchedContact).where(UnmatchedContact.chatwoot_contact_id == "77")).all()
    assert len(rows) == 1, "one row per contact, however many workers created it at once"
    assert rows[0].message_count == WORKERS * MESSAGES
