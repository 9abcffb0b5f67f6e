"""Client search as staff type: phone (whole or partial) and name prefixes, one tenant, always on an index."""

import re

import pytest

from app.extensions import db
from app.models import Client
from app.services.clients.search import search_clients
from tests.fixtures.plans import query_plans

PEOPLE = [
    ("Ana", "García López", "55 1234 5678"),
    ("Ana María", "Pérez", "55 1234 9999"),
    ("Luis", "Garza", "33 8765 4321"),
    ("José", "de la Cruz", "81 2222 3333"),
    ("Gabriela", "Ana", "55 7777 0000"),
]


@pytest.fixture
def clients(tenant, other_tenant):
    rows = {}
    for first, last, phone in PEOPLE:
        rows[f"{first} {last}"] = Client(tenant_id=tenant.id, first_name=first, last_name=last, phone=phone)
    # Same name and phone in another salon: never returned.
    rows["other"] = Client(tenant_id=other_tenant.id, first_name="Ana", last_name="García López", phone="55 1234 5678")
    db.session.add_all(rows.values())
    db.session.commit()
    return rows


def names(found):
    return [c.full_name for c in found]


@pytest.mark.parametrize("query", ["5512345678", "55 1234 5678", "+52 1 55 1234 5678", "(55) 1234-5678",
                                   "+525512345678"])
def test_a_whole_phone_in_any_format_finds_its_client(tenant, clients, query):
    assert names(search_clients(tenant.id, query)) == ["Ana García López"]


def test_partial_phone_is_a_prefix_of_the_canonical_number(tenant, clients):
    assert names(search_clients(tenant.id, "55 1234")) == ["Ana García López", "Ana María Pérez"]
    assert names(search_clients(tenant.id, "+52 331")) == []
    assert names(search_clients(tenant.id, "+52 338")) == ["Luis Garza"]


def test_too_few_digits_find_nothing(tenant, clients):
    assert search_clients(tenant.id, "55") == []


@pytest.mark.parametrize(("query", "expected"), [
    ("garc", ["Ana García López"]),
    ("GAR", ["Ana García López", "Luis Garza"]),
    ("Gar", ["Ana García López", "Luis Garza"]),
    ("luis", ["Luis Garza"]),
    ("ana", ["Ana García López", "Ana María Pérez", "Gabriela Ana"]),
    ("ana mar", ["Ana María Pérez"]),
    ("ana gar", ["Ana García López"]),
    ("garcía ana", ["Ana García López"]),
    ("de la", ["José de la Cruz"]),
    ("zz", []),
    ("   ", []),
])
def test_name_prefixes_on_first_or_last_name_ignoring_case(tenant, clients, query, expected):
    assert names(search_clients(tenant.id, query)) == expected


def test_percent_and_underscore_are_literal(tenant, clients):
    assert search_clients(tenant.id, "ana %") == []
    assert search_clients(tenant.id, "ana _") == []


def test_limit_is_respected(tenant):
    db.session.add_all([Client(tenant_id=tenant.id, first_name=f"Ana{i:02d}", last_name="Ruiz",
                               phone=f"55 4000 00{i:02d}") for i in range(30)])
    db.session.commit()
    found = search_clients(tenant.id, "ana", limit=10)
    assert len(found) == 10
    assert names(found) == [f"Ana{i:02d} Ruiz" for i in range(10)]


def test_every_query_uses_an_index_never_a_table_scan(app, tenant, clients):
    def searches():
        for query in ("garc", "ana mar", "55 1234", "5512345678"):
            search_clients(tenant.id, query)

    plans = query_plans(searches, lambda statement: statement.lstrip().upper().startswith("SELECT")
                        and "clients" in statement)
    assert plans
    for statement, details in plans:
        assert "SCAN clients" not in details, (statement, details)
        # The index is entered on the typed value, not just on tenant_id (which would read the whole salon).
        assert re.search(r"\((tenant_id=\? AND )(first_name|last_name|phone_e164)[<>=]", details), details
