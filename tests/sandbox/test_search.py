"""Contact search: required q, '+' handling, substring rules, pagination and the 100/min limit."""

from __future__ import annotations

from .conftest import ACCOUNT, OTHER_ACCOUNT, OUTSIDER

REQUIRED = {"error": "Specify search string with parameter q"}


def seed_maria(sim) -> tuple[int, int]:
    first = sim.add_contact(ACCOUNT, name="María López", phone_number="+525512345678",
                            identifier="CRM-10023")
    second = sim.add_contact(ACCOUNT, name="María L.", phone_number="+5215512345678",
                             email="Maria.L@Example.mx")
    sim.add_contact(ACCOUNT, name="Juan Pérez", phone_number="+525587654321")
    return first, second


def ids(response) -> list[int]:
    return [contact["id"] for contact in response.json()["payload"]]


def test_q_is_required_and_must_not_be_blank(api, sim):
    for query in ("", "?q=", "?q=%20%20", "?q=+"):
        response = api.get("/contacts/search" + query)
        assert (response.status_code, response.json()) == (422, REQUIRED)


def test_last_ten_digits_find_both_mexican_forms(api, sim):
    first, second = seed_maria(sim)
    response = api.get("/contacts/search?q=5512345678&page=1")
    assert ids(response) == [first, second]
    assert response.json()["meta"] == {"count": 2, "current_page": "1", "has_more": False}


def test_plus_in_query_string_becomes_a_space_and_is_stripped(api, sim):
    first, _ = seed_maria(sim)
    assert ids(api.get("/contacts/search?q=+525512345678")) == [first]
    assert ids(api.get("/contacts/search?q=%2B525512345678")) == [first]
    assert api.get("/contacts/search?q=+525512345678").json()["meta"]["current_page"] == 1


def test_name_and_email_are_case_insensitive_identifier_is_not(api, sim):
    first, second = seed_maria(sim)
    assert ids(api.get("/contacts/search", params={"q": "maría"})) == [first, second]
    assert ids(api.get("/contacts/search", params={"q": "maria.l@example"})) == [second]
    assert ids(api.get("/contacts/search", params={"q": "CRM-100"})) == [first]
    assert ids(api.get("/contacts/search", params={"q": "crm-100"})) == []


def test_search_is_not_limited_to_resolved_contacts(api, sim):
    anonymous = sim.add_contact(ACCOUNT, name="Visitante sin datos")
    assert ids(api.get("/contacts/search", params={"q": "visitante"})) == [anonymous]


def test_search_pages_of_15_with_has_more(api, sim):
    for number in range(17):
        sim.add_contact(ACCOUNT, name=f"Cliente {number}", phone_number=f"+52551000{number:04d}")
    first = api.get("/contacts/search", params={"q": "cliente"}).json()
    assert len(first["payload"]) == 15 and first["meta"] == {"count": 17, "current_page": 1, "has_more": True}
    second = api.get("/contacts/search", params={"q": "cliente", "page": "2"}).json()
    assert len(second["payload"]) == 2 and second["meta"]["has_more"] is False


def test_search_rate_limit_is_100_per_minute_per_account(api, sim):
    sim.clock = lambda: 1_781_971_200.0  # the start of a minute
    for _ in range(100):
        assert api.get("/contacts/search", params={"q": "x"}).status_code == 200
    limited = api.get("/contacts/search", params={"q": "x"})
    assert limited.status_code == 429
    assert limited.text == "Retry later\n"
    assert limited.headers["Content-Type"] == "text/plain"
    assert "Retry-After" not in limited.headers
    assert api.get("/contacts").status_code == 200
    assert api.as_(OUTSIDER, account_id=OTHER_ACCOUNT).get("/contacts/search?q=x").status_code == 200
    sim.clock = lambda: 1_781_971_260.0  # the next fixed window
    assert api.get("/contacts/search", params={"q": "x"}).status_code == 200


def test_rate_limit_applies_before_authentication(api, sim):
    sim.search_limit_per_minute = 1
    sim.clock = lambda: 1_781_971_200.0
    assert api.as_(None).get("/contacts/search?q=x").status_code == 401
    assert api.get("/contacts/search?q=x").status_code == 429
