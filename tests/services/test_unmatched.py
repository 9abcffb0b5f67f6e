"""The unmatched-contact queue: recording, linking by hand, creating a client, dismissing; all audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.chatwoot.errors import ChatwootConfigError
from app.chatwoot.payloads import ContactInfo
from app.extensions import db
from app.models import AuditLog, Client, ContactTask, UnmatchedContact, UnmatchedStatus, utcnow
from app.services.clients.records import RecordError, upsert_client
from app.services.contacts.unmatched import (
    UnmatchedError,
    UnmatchedNotFound,
    create_client_from_unmatched,
    dismiss_unmatched,
    link_unmatched,
    record_unmatched,
)
from tests.fixtures.notifications import drain

ACCOUNT = 1


def waiting(tenant, chatwoot=None, phone: str | None = "+5215599887766", name: str = "Rosa Díaz") -> UnmatchedContact:
    """A waiting row; with a simulator, for a contact that exists there."""
    contact_id = str(chatwoot.sim.add_contact(ACCOUNT, name=name, phone_number=phone)) if chatwoot else "900"
    row = record_unmatched(tenant.id, ContactInfo(contact_id, name, phone), "no_match", phone_key="+525599887766",
                           message="Hola", conversation_id="12", seen_at=datetime(2026, 6, 20, 16, tzinfo=UTC))
    db.session.commit()
    return row


def audited(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_record_creates_then_refreshes_one_row_per_contact(tenant):
    contact = ContactInfo("77", "Rosa", "+525599887766", "rosa@example.com")
    first = record_unmatched(tenant.id, contact, "no_match", message="uno",
                             seen_at=datetime(2026, 6, 20, 16, tzinfo=UTC))
    again = record_unmatched(tenant.id, ContactInfo("77", None, "+525599887766"), "ambiguous",
                             candidate_ids=["c1", "c2"], message="dos", seen_at=datetime(2026, 6, 20, 17, tzinfo=UTC))
    assert again.id == first.id and again.message_count == 2 and again.reason == "ambiguous"
    assert again.name == "Rosa" and again.email == "rosa@example.com" and again.candidate_client_ids == ["c1", "c2"]
    assert again.last_message_preview == "dos"


def test_link_pushes_attributes_and_records_who_and_when(staff_user, wired_tenant, chatwoot):
    row = waiting(wired_tenant, chatwoot)
    client = upsert_client(wired_tenant, {"first_name": "Rosa", "last_name": "Díaz", "phone": "55 9988 7766"}).obj
    linked = link_unmatched(wired_tenant, row.id, client.id, staff_user)
    db.session.commit()
    assert linked.client.id == client.id and client.chatwoot_contact_id == row.chatwoot_contact_id
    assert linked.task.push_contact_id == row.chatwoot_contact_id and linked.task.status == "pending"
    drain()
    db.session.refresh(row)
    attributes = chatwoot.sim.contact(ACCOUNT, int(row.chatwoot_contact_id))["custom_attributes"]
    assert attributes["client_id"] == client.id and attributes["tenant_id"] == wired_tenant.id
    assert row.status == UnmatchedStatus.LINKED and row.resolved_client_id == client.id
    assert row.resolved_by_id == staff_user.id and row.resolved_at is not None
    [entry] = audited("unmatched.linked")
    assert entry.actor == "staff@example.com" and entry.user_id == staff_user.id and entry.object_id == row.id
    assert audited("client.link")[0].actor == "staff@example.com"


def test_link_without_chatwoot_configured_is_a_clear_error_and_changes_nothing(staff_user, tenant):
    row = waiting(tenant)
    client = upsert_client(tenant, {"first_name": "Rosa", "phone": "55 9988 7766"}).obj
    with pytest.raises(ChatwootConfigError, match="not configured"):
        link_unmatched(tenant, row.id, client.id, staff_user)
    assert client.chatwoot_contact_id is None and row.status == UnmatchedStatus.WAITING


def test_link_keeps_the_link_when_chatwoot_refuses_the_push(staff_user, wired_tenant, chatwoot):
    row = waiting(wired_tenant, chatwoot)
    client = upsert_client(wired_tenant, {"first_name": "Rosa", "phone": "55 9988 7766"}).obj
    chatwoot.sim.fail_next(1, status=401, body={"error": "Invalid Access Token"})
    outcome = link_unmatched(wired_tenant, row.id, client.id, staff_user)
    db.session.commit()
    drain()
    db.session.expire_all()
    assert client.chatwoot_contact_id == row.chatwoot_contact_id and client.chatwoot_attributes_hash is None
    assert row.status == UnmatchedStatus.LINKED and audited("client.push_failed")
    task = db.session.get(ContactTask, outcome.task.id)
    assert (task.status, task.failed_step, task.error) == ("failed", "push", "Invalid Access Token")


def test_a_transient_failure_is_retried_later_not_failed(staff_user, wired_tenant, chatwoot, monkeypatch):
    monkeypatch.setattr("app.chatwoot.client.time.sleep", lambda seconds: None)  # the client's own backoff
    row = waiting(wired_tenant, chatwoot)
    client = upsert_client(wired_tenant, {"first_name": "Rosa", "phone": "55 9988 7766"}).obj
    chatwoot.sim.set_down(True)
    outcome = link_unmatched(wired_tenant, row.id, client.id, staff_user)
    db.session.commit()
    drain()
    db.session.expire_all()
    task = db.session.get(ContactTask, outcome.task.id)
    assert task.status == "pending" and task.attempts == 1 and "503" in task.error
    assert task.leased_until > utcnow() and audited("client.push_failed") == []


def test_another_tenants_rows_and_clients_are_not_found(staff_user, wired_tenant, other_tenant, chatwoot):
    row = waiting(wired_tenant, chatwoot)
    foreign = upsert_client(other_tenant, {"first_name": "Otra", "phone": "55 1111 2222"}).obj
    with pytest.raises(UnmatchedNotFound):
        link_unmatched(wired_tenant, row.id, foreign.id, staff_user)
    with pytest.raises(UnmatchedNotFound):
        dismiss_unmatched(other_tenant, row.id, staff_user)


def test_create_client_from_the_contact_and_link_it(staff_user, wired_tenant, chatwoot):
    row = waiting(wired_tenant, chatwoot)
    client = create_client_from_unmatched(wired_tenant, row.id, {"email": "rosa@example.com"}, staff_user).client
    db.session.commit()
    drain()
    db.session.refresh(row)
    assert (client.first_name, client.last_name, client.phone_e164) == ("Rosa", "Díaz", "+525599887766")
    assert client.email == "rosa@example.com" and client.chatwoot_contact_id == row.chatwoot_contact_id
    assert row.status == UnmatchedStatus.CREATED and row.resolved_client_id == client.id
    assert chatwoot.sim.contact(ACCOUNT, int(row.chatwoot_contact_id))["custom_attributes"]["client_id"] == client.id
    assert audited("client.create_from_unmatched") and audited("unmatched.created")


def test_create_refuses_a_phone_that_already_has_a_client(staff_user, wired_tenant, chatwoot):
    row = waiting(wired_tenant, chatwoot)
    upsert_client(wired_tenant, {"first_name": "Rosa", "phone": "+52 55 9988 7766"})
    with pytest.raises(UnmatchedError, match="link it instead"):
        create_client_from_unmatched(wired_tenant, row.id, {}, staff_user)
    assert row.status == UnmatchedStatus.WAITING


def test_create_reports_invalid_form_data_by_field(staff_user, wired_tenant, chatwoot):
    row = waiting(wired_tenant, chatwoot)
    with pytest.raises(RecordError) as error:
        create_client_from_unmatched(wired_tenant, row.id, {"email": "no es correo"}, staff_user)
    assert error.value.field == "email"


def test_dismiss_is_audited_and_resolved_rows_cannot_be_acted_on_again(staff_user, wired_tenant, chatwoot):
    row = waiting(wired_tenant, chatwoot)
    dismiss_unmatched(wired_tenant, row.id, staff_user)
    db.session.commit()
    assert row.status == UnmatchedStatus.DISMISSED and row.resolved_by_id == staff_user.id
    assert audited("unmatched.dismissed")[0].actor == "staff@example.com"
    client = upsert_client(wired_tenant, {"first_name": "Rosa", "phone": "55 9988 7766"}).obj
    link_unmatched(wired_tenant, row.id, client.id, staff_user)  # a dismissed contact may still be linked
    with pytest.raises(UnmatchedError, match="already resolved"):
        dismiss_unmatched(wired_tenant, row.id, staff_user)


def test_a_dismissed_contact_writing_again_still_counts_but_stays_dismissed(staff_user, tenant):
    row = waiting(tenant)
    dismiss_unmatched(tenant, row.id, staff_user)
    record_unmatched(tenant.id, ContactInfo(row.chatwoot_contact_id), "no_match", message="spam otra vez")
    assert row.status == UnmatchedStatus.DISMISSED and row.message_count == 2


def test_a_contact_whose_client_link_was_undone_waits_again(staff_user, wired_tenant, chatwoot):
    row = waiting(wired_tenant, chatwoot)
    client = upsert_client(wired_tenant, {"first_name": "Rosa", "phone": "55 9988 7766"}).obj
    link_unmatched(wired_tenant, row.id, client.id, staff_user)
    record_unmatched(wired_tenant.id, ContactInfo(row.chatwoot_contact_id), "no_match", message="¿sigue ahí?")
    assert row.status == UnmatchedStatus.WAITING and row.resolved_client_id is None
    assert db.session.get(Client, client.id) is not None
