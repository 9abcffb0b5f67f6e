"""Templates: {{variable}} rendering, Spanish dates in the tenant's zone, overrides and the live preview."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from app.extensions import db
from app.models import NotificationTemplate, NotificationType
from app.services.accounts.tenants import create_tenant
from app.services.notifications.templates import (
    DEFAULT_TEMPLATES,
    STANDARD_VARIABLES,
    TemplateError,
    appointment_variables,
    format_local_date,
    format_local_time,
    placeholders,
    preview,
    render,
    template_body,
)
from tests.fixtures.notifications import make_appointment, make_client


@pytest.mark.parametrize("body, variables, expected", [
    ("Hola {{clientName}}", {"clientName": "Ana"}, "Hola Ana"),
    ("Hola {{ clientName }}, {{clientName}}!", {"clientName": "Ana"}, "Hola Ana, Ana!"),
    ("Sin variables", {}, "Sin variables"),
    ("Cita {{n}}", {"n": 3}, "Cita 3"),
    ("{{promo}} en {{salonName}}", {"promo": "2x1", "salonName": "Uno", "unused": "x"}, "2x1 en Uno"),
])
def test_render_fills_every_placeholder(body, variables, expected):
    assert render(body, variables) == expected


@pytest.mark.parametrize("variables, missing", [
    ({}, ["clientName", "appointmentTime"]),
    ({"clientName": "", "appointmentTime": "10:00"}, ["clientName"]),
    ({"clientName": "   ", "appointmentTime": None}, ["clientName", "appointmentTime"]),
])
def test_a_missing_or_blank_variable_is_an_error_never_hola_comma(variables, missing):
    with pytest.raises(TemplateError) as error:
        render("Hola {{clientName}}, a las {{appointmentTime}}", variables)
    assert error.value.missing == missing
    assert str(error.value) == "missing variable(s): " + ", ".join(missing)


def test_placeholders_in_order_without_repeats():
    assert placeholders("{{b}} {{a}} {{ b }}") == ["b", "a"]


def test_dates_and_times_in_spanish_in_the_tenants_time_zone():
    moment = datetime(2026, 11, 13, 16, 0, tzinfo=UTC)
    assert format_local_date(moment, "America/Mexico_City") == "viernes 13 de noviembre de 2026"
    assert format_local_time(moment, "America/Mexico_City") == "10:00"
    late = datetime(2026, 11, 14, 5, 30, tzinfo=UTC)  # still Friday in Tijuana, Saturday in UTC
    assert format_local_date(late, "America/Tijuana") == "viernes 13 de noviembre de 2026"
    assert format_local_time(late, "America/Tijuana") == "21:30"


def test_every_type_has_a_spanish_default_using_only_always_known_variables():
    assert set(DEFAULT_TEMPLATES) == set(NotificationType)
    for body in DEFAULT_TEMPLATES.values():
        assert body.startswith("Hola {{clientName}}")
        assert set(placeholders(body)) <= {"clientName", "salonName", "appointmentDate", "appointmentTime"}
        assert set(placeholders(body)) <= set(STANDARD_VARIABLES)


def test_a_tenant_override_replaces_the_default_for_that_tenant_only(tenant, other_tenant):
    db.session.add(NotificationTemplate(tenant_id=tenant.id, type="APPOINTMENT_REMINDER",
                                        body="¡{{clientName}}! Mañana {{appointmentTime}} con {{staffName}}"))
    db.session.commit()
    assert template_body(tenant.id, NotificationType.APPOINTMENT_REMINDER).startswith("¡{{clientName}}!")
    assert template_body(other_tenant.id, "APPOINTMENT_REMINDER") == \
        DEFAULT_TEMPLATES[NotificationType.APPOINTMENT_REMINDER]


def test_appointment_variables_leave_blank_names_out(tenant):
    client = make_client(tenant)
    appointment = make_appointment(tenant, client, datetime(2026, 11, 13, 16, 0, tzinfo=UTC), service_name="Tinte")
    assert appointment_variables(appointment, tenant.timezone) == {
        "appointmentDate": "viernes 13 de noviembre de 2026", "appointmentTime": "10:00", "serviceName": "Tinte"}


def test_preview_with_sample_data(tenant):
    with time_machine.travel(datetime(2026, 11, 12, 18, 0, tzinfo=UTC), tick=False):
        text = preview(tenant, NotificationType.APPOINTMENT_REMINDER)
    assert text == ("Hola María López, te recordamos tu cita en Salón Uno el viernes 13 de noviembre de 2026 "
                    "a las 10:00. Si necesitas cambiarla, responde a este mensaje.")


def test_preview_with_a_client_uses_their_next_appointment(tenant):
    client = make_client(tenant)
    make_appointment(tenant, client, datetime(2026, 11, 20, 17, 30, tzinfo=UTC), staff_name="Lupita")
    with time_machine.travel(datetime(2026, 11, 12, 18, 0, tzinfo=UTC), tick=False):
        text = preview(tenant, "APPOINTMENT_CONFIRMATION", client_id=client.id,
                       body="{{clientName}}: {{appointmentDate}} {{appointmentTime}} con {{staffName}}")
        assert text == "Juan Pérez: viernes 20 de noviembre de 2026 11:30 con Lupita"
        with pytest.raises(TemplateError, match="serviceName"):  # the real appointment has no service
            preview(tenant, "APPOINTMENT_CONFIRMATION", client_id=client.id, body="{{serviceName}}")


def test_preview_ignores_another_tenants_client(tenant):
    other = create_tenant("Otro", slug="otro")
    db.session.commit()
    make_client(other, client_id="foreign")
    with time_machine.travel(datetime(2026, 11, 12, 18, 0, tzinfo=UTC), tick=False):
        assert preview(tenant, "TEST", client_id="foreign") == \
            "Hola María López, este es un mensaje de prueba de Salón Uno."
    with pytest.raises(TemplateError, match="codigo"):
        preview(tenant, "MARKETING", body="Usa el {{codigo}}")
