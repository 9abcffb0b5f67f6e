"""Configuración → Automatizaciones and the upcoming-appointments page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from app.extensions import db
from app.models import AuditLog, AutomationSettings, utcnow
from app.services.automations.settings import automation_settings
from tests.fixtures.notifications import make_appointment, make_client

FRIDAY_NOON = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)  # Friday 12:00 in Mexico City


def form(**overrides) -> dict:
    data = {"confirm_enabled": "y", "optout_enabled": "y", "out_of_hours_enabled": "y",
            "confirm_text": "", "cancel_text": "", "optout_text": "", "optin_text": "",
            "out_of_hours_text": "Cerrado; abrimos el {{nextOpening}}.",
            **{f"day_{d}": "10:00-14:00, 16:00-20:00" for d in range(5)}, "day_5": "10:00-15:00", "day_6": "",
            "closed_dates": "2026-12-24", "callback_url": "https://citaplanner.example/hook",
            "callback_secret": "s3creto"}
    return data | overrides


def test_defaults_answer_out_of_the_box_and_out_of_hours_waits_for_a_schedule(admin, tenant):
    page = admin.get("/t/uno/settings/automations")
    assert page.status_code == 200
    assert "quedó confirmada" in page.text and "Así lo leerá la clienta" in page.text
    assert db.session.query(AutomationSettings).count() == 0  # viewing stores nothing
    row = automation_settings(tenant.id)
    assert row.confirm_enabled and row.optout_enabled and not row.out_of_hours_enabled


def test_saving_the_schedule_texts_and_callback(admin, tenant):
    response = admin.post("/t/uno/settings/automations", form())
    assert response.status_code == 302
    db.session.expire_all()
    row = automation_settings(tenant.id)
    assert row.schedule["0"] == [["10:00", "14:00"], ["16:00", "20:00"]] and "6" not in row.schedule
    assert row.closed_dates == ["2026-12-24"] and row.out_of_hours_enabled
    assert row.confirm_text is None and row.out_of_hours_text == "Cerrado; abrimos el {{nextOpening}}."
    assert row.callback_secret and row.callback_secret != "s3creto"  # stored encrypted
    assert db.session.query(AuditLog).filter_by(action="settings.automations").count() == 1
    admin.post("/t/uno/settings/automations", form(callback_secret=""))
    db.session.expire_all()
    assert automation_settings(tenant.id).callback_secret == row.callback_secret  # blank keeps it


def test_a_bad_range_is_refused_with_the_reason(admin, tenant):
    response = admin.post("/t/uno/settings/automations", form(day_2="14:00-10:00"))
    assert response.status_code == 422 and "14:00-10:00" in response.text
    assert db.session.query(AutomationSettings).count() == 0


def test_live_preview_uses_the_next_opening(admin, tenant):
    admin.post("/t/uno/settings/automations", form())
    with time_machine.travel(FRIDAY_NOON + timedelta(hours=3), tick=False):  # 15:00, between shifts
        response = admin.post("/t/uno/settings/automations/preview/out_of_hours_text",
                              {"out_of_hours_text": "Abrimos el {{nextOpening}}."}, headers={"HX-Request": "true"})
    assert "Abrimos el viernes 4 de diciembre de 2026 a las 16:00." in response.text
    bad = admin.post("/t/uno/settings/automations/preview/confirm_text", {"confirm_text": "Hola {{nombre}}"},
                     headers={"HX-Request": "true"})
    assert "nombre" in bad.text and "Falta el valor" in bad.text


def test_mexican_holidays_load_in_one_click(admin, tenant):
    with time_machine.travel(FRIDAY_NOON, tick=False):
        admin.post("/t/uno/settings/automations/holidays", {})
    db.session.expire_all()
    dates = automation_settings(tenant.id).closed_dates
    assert {"2026-12-25", "2027-01-01", "2027-09-16"} <= set(dates)


def test_upcoming_appointments_by_the_clients_answer(admin, tenant):
    client = make_client(tenant, first_name="Ana", last_name="Ruiz")
    soon = utcnow() + timedelta(days=1)
    make_appointment(tenant, client, soon, appointment_id="a1")
    make_appointment(tenant, client, soon, appointment_id="a2", status="confirmed")
    make_appointment(tenant, client, soon, appointment_id="a3", status="cancel_requested")
    make_appointment(tenant, client, utcnow() - timedelta(days=1), appointment_id="a4", status="cancel_requested")
    page = admin.get("/t/uno/appointments/").text
    for title in ("Por confirmar", "Confirmadas", "Cancelación pedida"):
        assert title in page
    assert page.count("Ana Ruiz") == 3  # the past one is not upcoming
