"""CitaPlanner ids are per tenant: two salons may both have "cli_1", and one salon's answers never reveal
that an id exists elsewhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, Client
from app.services.notification_service import NotificationError, notification_service
from tests.fixtures.imports import import_appointments, import_clients
from tests.fixtures.plans import query_plans

APPT = {"client_id": "cli_1", "starts_at": "2026-12-20T10:00:00", "service_name": "Corte"}


def test_two_salons_use_the_same_ids(api, other_api, tenant, other_tenant):
    mine = api.put("/api/v1/clients/cli_1", {"first_name": "Ana", "phone": "5512345678"})
    theirs = other_api.put("/api/v1/clients/cli_1", {"first_name": "Bea", "phone": "5512345678"})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json["id"] == theirs.json["id"] == "cli_1"
    assert api.put("/api/v1/appointments/apt_1", APPT).status_code == 201
    assert other_api.put("/api/v1/appointments/apt_1", {**APPT, "service_name": "Tinte"}).status_code == 201
    assert api.get("/api/v1/appointments/apt_1").json["service_name"] == "Corte"
    assert other_api.get("/api/v1/appointments/apt_1").json["service_name"] == "Tinte"
    clients = db.session.scalars(select(Client).order_by(Client.first_name)).all()
    assert [(c.tenant_id, c.external_id, c.first_name) for c in clients] == [
        (tenant.id, "cli_1", "Ana"), (other_tenant.id, "cli_1", "Bea")]
    for appointment in db.session.scalars(select(Appointment)):  # appointments.client_id -> clients.id
        assert appointment.client.tenant_id == appointment.tenant_id


def test_answers_do_not_depend_on_other_salons(api, other_api):
    """Every answer for an id another salon uses equals the answer for an id nobody uses."""
    other_api.put("/api/v1/clients/taken", {"first_name": "Bea", "phone": "5512345678"})
    other_api.put("/api/v1/appointments/taken-appt", {**APPT, "client_id": "taken"})

    def answers(client_id: str, appt_id: str) -> list:
        got = [api.get(f"/api/v1/appointments/{appt_id}"),
               api.put("/api/v1/appointments/x", {**APPT, "client_id": client_id}),
               api.post("/api/v1/notifications", {"type": "TEST", "recipient_id": client_id})]
        return [(r.status_code, str(r.json).replace(client_id, "ID").replace(appt_id, "APPT")) for r in got]

    assert answers("taken", "taken-appt") == answers("unused", "unused-appt")
    assert answers("taken", "taken-appt")[0][0] == 404


def test_csv_imports_are_keyed_by_tenant_and_id(tmp_path, tenant, other_tenant):
    clients = tmp_path / "clients.csv"
    clients.write_text("id,first_name,phone\ncli_1,Ana,5512345678\ncli_2,Eva,5587654321\n")
    appointments = tmp_path / "appointments.csv"
    appointments.write_text("id,client_id,starts_at\napt_1,cli_2,2026-12-20T10:00:00\n")
    for salon in (tenant, other_tenant):
        assert (import_clients(salon, clients).created, import_appointments(salon, appointments).created) == (2, 1)
    db.session.commit()
    again = import_clients(tenant, clients)
    assert (again.created, again.updated, again.rejected) == (0, 2, [])
    for salon in (tenant, other_tenant):
        appt = db.session.scalar(select(Appointment).where(Appointment.tenant_id == salon.id))
        assert appt.external_id == "apt_1" and appt.client.external_id == "cli_2"
        assert appt.client.tenant_id == salon.id


def test_notification_recipient_by_citaplanner_or_internal_id(api, other_api, tenant, other_tenant):
    api.put("/api/v1/clients/cli_1", {"first_name": "Ana", "phone": "5512345678"})
    other_api.put("/api/v1/clients/cli_1", {"first_name": "Bea", "phone": "5512345678"})
    api.put("/api/v1/clients/solo", {"first_name": "Eva", "phone": "5587654321"})
    with pytest.raises(NotificationError, match="exists in several salons: pass tenant_id"):
        notification_service.create_notification("TEST", "CHATWOOT", "cli_1")
    db.session.rollback()
    theirs = notification_service.create_notification("TEST", "CHATWOOT", "cli_1", tenant_id=other_tenant.id)
    assert theirs.client.first_name == "Bea"
    solo = notification_service.create_notification("TEST", "CHATWOOT", "solo")
    assert solo.client.first_name == "Eva" and solo.tenant_id == tenant.id
    by_internal = notification_service.create_notification("TEST", "CHATWOOT", solo.client.id)
    assert by_internal.client_id == solo.client_id
    via_api = api.post("/api/v1/notifications", {"type": "TEST", "recipient_id": "cli_1"})
    assert via_api.status_code == 202 and via_api.json["client_id"] == "cli_1"
    assert db.session.get(Client, theirs.client_id).tenant_id == other_tenant.id


def test_a_recipient_without_a_salon_is_looked_up_by_index(api, tenant):
    """The seed's send_notification(recipient_id=...) names no salon: the id is found through indexes, not by
    reading every client of every salon."""
    api.put("/api/v1/clients/cli_1", {"first_name": "Ana", "phone": "5512345678"})
    plans = query_plans(lambda: notification_service.create_notification("TEST", "CHATWOOT", "cli_1"),
                        lambda statement: "FROM clients" in statement and "external_id =" in statement)
    assert plans
    for statement, plan in plans:
        assert "SCAN clients" not in plan and "ix_clients_external_id" in plan, (statement, plan)
