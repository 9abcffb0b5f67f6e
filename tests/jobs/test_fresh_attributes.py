"""Fresh attributes (INTERFACES §9): changes are marked in the writer's transaction and pushed, debounced, by
the worker; the clock is driven by time-machine, never by sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.extensions import db, huey
from app.jobs.attributes import requeue_overdue_attribute_pushes
from app.models import Appointment, Client
from app.services.settings.api_keys import create_api_key
from tests.fixtures.notifications import make_client
from tests.fixtures.simulator import ACCOUNT_ID

T0 = datetime(2026, 11, 11, 18, 0, tzinfo=UTC)


def run_worker() -> int:
    """What `flask worker` does at this instant: run queued tasks and the scheduled ones now due."""
    ran = 0
    while (task := huey.dequeue()) is not None or (task := next(iter(huey.read_schedule()), None)) is not None:
        huey.execute(task)
        ran += 1
        if ran > 50:
            raise AssertionError("the worker keeps finding work")
    return ran


def pushes(chatwoot, contact_id: int) -> int:
    return chatwoot.sim.count("PUT", f"/contacts/{contact_id}")


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def linked(wired_tenant, chatwoot, clock):
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, "Ana Ruiz", "+525512345678")
    client = make_client(wired_tenant, "cp-ana", "+525512345678", "Ana", "Ruiz", chatwoot_contact_id=str(contact_id))
    huey.flush()
    chatwoot.sim.clear_log()
    return client, contact_id


@pytest.fixture
def api(app, wired_tenant):
    _key, plaintext = create_api_key(wired_tenant, "CitaPlanner")
    db.session.commit()
    http, headers = app.test_client(), {"Authorization": f"Bearer {plaintext}"}
    return lambda url, body: http.put(url, json=body, headers=headers)


def test_five_quick_renames_end_in_one_push_of_the_last_name(chatwoot, linked, api, clock):
    client, contact_id = linked
    for n in range(5):
        response = api("/api/v1/clients/cp-ana", {"first_name": f"Ana{n}", "last_name": "Ruiz",
                                                   "phone": "+525512345678"})
        assert response.status_code == 200
        clock.shift(timedelta(seconds=2))
    assert pushes(chatwoot, contact_id) == 0, "the request never pushes"
    run_worker()
    assert pushes(chatwoot, contact_id) == 0, "still within 10 s of the last change"

    clock.shift(timedelta(seconds=10))
    run_worker()
    assert pushes(chatwoot, contact_id) == 1
    attributes = chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]
    assert attributes["client_name"] == "Ana4 Ruiz" and attributes["client_id"] == "cp-ana"
    db.session.expire_all()
    assert db.session.get(Client, client.id).attributes_due_at is None

    clock.shift(timedelta(minutes=5))
    run_worker()
    assert pushes(chatwoot, contact_id) == 1, "nothing more is owed"


def test_a_new_appointment_reaches_the_contact_within_a_minute(chatwoot, linked, api, clock):
    _client, contact_id = linked
    response = api("/api/v1/appointments/cp-apt-1", {"client_id": "cp-ana", "starts_at": "2026-11-20T10:00:00",
                                                      "service_name": "Corte", "staff_name": "Lupita"})
    assert response.status_code == 201
    clock.shift(timedelta(seconds=59))
    run_worker()
    attributes = chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]
    assert attributes["total_appointments"] == 1
    assert attributes["next_appointment"].startswith("2026-11-20T10:00")
    assert pushes(chatwoot, contact_id) == 1


def test_a_change_during_a_push_gets_its_own_push(chatwoot, linked, clock):
    client, contact_id = linked
    client.first_name = "Ana María"
    db.session.commit()
    clock.shift(timedelta(seconds=11))

    real_put, engine, client_id = chatwoot.sim.record_request, db.engine, client.id

    def rename_meanwhile(record):  # the dashboard saves while the worker talks to Chatwoot
        real_put(record)
        if record.method == "PUT" and pushes(chatwoot, contact_id) == 1:
            with engine.begin() as conn:
                conn.execute(Client.__table__.update().where(Client.__table__.c.id == client_id)
                             .values(first_name="Anita", attributes_due_at=T0 + timedelta(seconds=21)))

    chatwoot.sim.record_request = rename_meanwhile
    run_worker()
    chatwoot.sim.record_request = real_put
    assert pushes(chatwoot, contact_id) == 1
    db.session.expire_all()
    assert db.session.get(Client, client.id).attributes_due_at is not None, "the later change is still owed"

    clock.shift(timedelta(seconds=11))
    run_worker()
    assert pushes(chatwoot, contact_id) == 2
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]["client_name"] == "Anita Ruiz"


def test_unlinked_clients_and_other_columns_owe_nothing(wired_tenant, chatwoot, linked, clock):
    client, _contact_id = linked
    loose = make_client(wired_tenant, "cp-loose", "+525599999999", "Eva", "Luna")
    loose.first_name = "Evita"
    client.marketing_opt_out = True
    db.session.commit()
    assert loose.attributes_due_at is None and client.attributes_due_at is None
    assert huey.pending_count() == 0


def test_a_lost_queue_message_is_found_by_the_sweep(chatwoot, linked, clock):
    client, contact_id = linked
    db.session.add(Appointment(id="apt-x", tenant_id=client.tenant_id, client_id=client.id,
                               starts_at=T0 + timedelta(days=3)))
    db.session.commit()
    huey.flush()  # the message is lost; the row still says a push is owed
    clock.shift(timedelta(seconds=45))
    requeue_overdue_attribute_pushes()
    run_worker()
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]["total_appointments"] == 1


def test_a_burst_that_never_pauses_is_still_pushed_within_a_minute(chatwoot, linked, api, clock):
    _client, contact_id = linked
    first_push_at = None
    for n in range(24):  # a rename every 5 s for two minutes: never a 10 s pause
        api("/api/v1/clients/cp-ana", {"first_name": f"Ana{n}", "last_name": "Ruiz", "phone": "+525512345678"})
        run_worker()
        if first_push_at is None and pushes(chatwoot, contact_id):
            first_push_at = n * 5
        clock.shift(timedelta(seconds=5))
    assert first_push_at is not None and first_push_at < 60, "the first change reached Chatwoot within a minute"
    during_burst = pushes(chatwoot, contact_id)
    assert 2 <= during_burst <= 3, "about one push per 45 s while the burst goes on, not one per change"
    clock.shift(timedelta(seconds=10))
    run_worker()
    assert pushes(chatwoot, contact_id) == during_burst + 1
    assert chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]["client_name"] == "Ana23 Ruiz"


def test_csv_imports_owe_one_coalesced_push(app, chatwoot, linked, clock, tmp_path):
    _client, contact_id = linked
    clients_csv, appointments_csv = tmp_path / "c.csv", tmp_path / "a.csv"
    clients_csv.write_text("id,first_name,last_name,phone\ncp-ana,Ana Sofía,Ruiz,+525512345678\n", encoding="utf-8")
    appointments_csv.write_text("id,client_id,starts_at,service_name,status\n"
                                "ap-1,cp-ana,2026-11-20T10:00,Corte,scheduled\n", encoding="utf-8")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["clients", "import", "uno", str(clients_csv)]).exit_code == 0
    clock.shift(timedelta(seconds=3))
    assert runner.invoke(args=["appointments", "import", "uno", str(appointments_csv)]).exit_code == 0
    run_worker()
    assert pushes(chatwoot, contact_id) == 0, "the import never pushes itself, and the burst has not settled"
    clock.shift(timedelta(seconds=11))
    run_worker()
    assert pushes(chatwoot, contact_id) == 1
    attributes = chatwoot.sim.contact(ACCOUNT_ID, contact_id)["custom_attributes"]
    assert attributes["client_name"] == "Ana Sofía Ruiz" and attributes["total_appointments"] == 1
