"""One phone, one client per tenant, on the canonical number."""

from __future__ import annotations

import logging

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Client
from tests.conftest import reset_schema
from tests.fixtures.imports import import_clients

SPELLINGS = ["55 7000 0051", "+52 55 7000 0051", "+52 1 55 7000 0051", "(55) 7000-0051", "55-70-00-00-51"]


def _clients(tenant_id: str) -> list[Client]:
    db.session.expire_all()
    return db.session.scalars(select(Client).where(Client.tenant_id == tenant_id)).all()


def test_five_spellings_in_an_import_without_ids_are_one_client(tmp_path, tenant):
    path = tmp_path / "clients.csv"
    path.write_text("first_name,phone\n" + "".join(f'Ana{i},"{p}"\n' for i, p in enumerate(SPELLINGS)))
    report = import_clients(tenant, path)
    db.session.commit()
    assert (report.created, report.updated, report.rejected) == (1, 4, [])
    [client] = _clients(tenant.id)
    assert client.phone_e164 == "+525570000051" and client.first_name == "Ana4"


def test_five_spellings_through_the_api(api, tenant):
    first = api.put("/api/v1/clients/cli_1", {"first_name": "Ana", "phone": SPELLINGS[0]})
    assert first.status_code == 201
    for number in SPELLINGS[1:]:
        same = api.put("/api/v1/clients/cli_1", {"first_name": "Ana", "phone": number})
        assert same.status_code == 200 and same.json["phone_e164"] == "+525570000051"
        other = api.put("/api/v1/clients/cli_2", {"first_name": "Eva", "phone": number})
        assert other.status_code == 422
        assert other.json["fields"] == {"phone": f"phone {number} already belongs to client cli_1"}
    assert len(_clients(tenant.id)) == 1


def test_an_import_row_naming_its_id_with_a_held_phone_is_rejected_naming_the_holder(tmp_path, tenant):
    path = tmp_path / "clients.csv"
    path.write_text("id,first_name,phone\ncli_1,Ana,55 7000 0051\ncli_2,Eva,+52 1 55 7000 0051\n")
    report = import_clients(tenant, path)
    assert report.created == 1
    assert report.rejected == [(3, "phone +52 1 55 7000 0051 already belongs to client cli_1")]


def test_the_same_phone_in_two_salons_is_two_clients(api, other_api, tenant, other_tenant):
    assert api.put("/api/v1/clients/a", {"first_name": "Ana", "phone": SPELLINGS[0]}).status_code == 201
    assert other_api.put("/api/v1/clients/b", {"first_name": "Ana", "phone": SPELLINGS[1]}).status_code == 201


def test_the_database_refuses_a_second_client_on_a_number(tenant):
    db.session.add_all([Client(tenant_id=tenant.id, first_name="A", phone=SPELLINGS[0]),
                        Client(tenant_id=tenant.id, first_name="B", phone=SPELLINGS[2])])
    with pytest.raises(IntegrityError, match=r"clients\.tenant_id, clients\.phone_e164"):
        db.session.commit()
    db.session.rollback()


def test_the_migration_reports_shared_numbers_and_links_none(any_db_app, caplog):
    """Clients stored before the rule on one number are left and reported; none is matched by phone."""
    from app.services.contacts.matching import match_phone

    reset_schema()
    upgrade(revision="0007_secrets_prefix")
    db.session.execute(text("INSERT INTO tenants (id, name, slug, timezone, phone_region, created_at, updated_at) "
                            "VALUES ('t1', 'Uno', 'uno', 'America/Mexico_City', 'MX', :n, :n)"),
                       {"n": "2026-01-01 00:00:00"})
    for client_id, phone in (("c1", "55 7000 0051"), ("c2", "+52 1 55 7000 0051"), ("c3", "55 1111 2222")):
        db.session.execute(text(
            "INSERT INTO clients (id, tenant_id, first_name, last_name, phone, phone_e164, marketing_opt_out, "
            "created_at, updated_at) VALUES (:id, 't1', 'X', '', :p, :e, false, :n, :n)"),
            {"id": client_id, "p": phone, "e": "+525511112222" if client_id == "c3" else "+525570000051",
             "n": "2026-01-01 00:00:00"})
    db.session.commit()
    with caplog.at_level(logging.WARNING):
        upgrade()
    assert "clients c1, c2 share the phone +525570000051" in caplog.text
    rows = db.session.execute(text("SELECT id, external_id, phone, phone_e164 FROM clients ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("c1", "c1", "55 7000 0051", None),
                                        ("c2", "c2", "+52 1 55 7000 0051", None),
                                        ("c3", "c3", "55 1111 2222", "+525511112222")]
    assert match_phone("5570000051", "t1", "MX").client is None
    assert db.session.scalar(select(func.count()).select_from(Client)) == 3
