"""Quick replies (INTERFACES §9), over real HTTP with the simulator: the tenant's templates become canned
responses, an edit updates its canned response, and the account's other canned responses are never touched."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.chatwoot.client import client_for_tenant
from app.chatwoot.errors import ChatwootValidationError
from app.extensions import db
from app.models import NotificationType, QuickReply
from app.services.settings.tenant_settings import save_template
from tests.fixtures.simulator import ACCOUNT_ID
from tests.fixtures.webhooks import drain

REMINDER = NotificationType.APPOINTMENT_REMINDER


def canned(chatwoot) -> dict[str, str]:
    return {c.short_code: c.content for c in chatwoot.sim.db.canned_responses.values()
            if c.account_id == ACCOUNT_ID}


def test_templates_become_canned_responses_and_edits_follow(wired_tenant, chatwoot, admin_user):
    other = client_for_tenant(wired_tenant.id).create_canned_response("horario", "Abrimos de 10 a 20 h.")
    save_template(wired_tenant, admin_user, REMINDER, "Hola {{clientName}}, ¡mañana te vemos!")
    db.session.commit()
    drain()
    published = canned(chatwoot)
    assert published["cp_recordatorio"] == "Hola {{contact.name}}, ¡mañana te vemos!"
    assert published["cp_confirmacion"].startswith("Hola {{contact.name}}, tu cita en Salón Uno quedó confirmada")
    assert set(published) == {"horario", "cp_confirmacion", "cp_recordatorio", "cp_cancelacion",
                              "cp_reprogramacion", "cp_promocion"}
    reminder_id = db.session.scalar(select(QuickReply.canned_response_id)
                                    .where(QuickReply.short_code == "cp_recordatorio"))

    chatwoot.sim.clear_log()
    save_template(wired_tenant, admin_user, REMINDER, "Te esperamos mañana, {{clientName}}.")
    db.session.commit()
    drain()
    assert canned(chatwoot)["cp_recordatorio"] == "Te esperamos mañana, {{contact.name}}."
    assert chatwoot.sim.count("PATCH", f"/canned_responses/{reminder_id}") == 1
    assert chatwoot.sim.count("POST", "/canned_responses") == 0 and chatwoot.sim.count("DELETE") == 0
    assert canned(chatwoot)["horario"] == "Abrimos de 10 a 20 h." and other["short_code"] == "horario"


def test_a_canned_response_we_no_longer_publish_is_deleted_and_others_stay(wired_tenant, chatwoot, admin_user):
    api = client_for_tenant(wired_tenant.id)
    stale = api.create_canned_response("cp_viejo", "texto anterior")
    api.create_canned_response("cp_ajeno", "de otra integración")
    db.session.add(QuickReply(tenant_id=wired_tenant.id, short_code="cp_viejo", canned_response_id=stale["id"]))
    db.session.commit()
    save_template(wired_tenant, admin_user, NotificationType.MARKETING, "Promoción de {{salonName}}")
    db.session.commit()
    drain()
    published = canned(chatwoot)
    assert "cp_viejo" not in published and published["cp_ajeno"] == "de otra integración"
    assert published["cp_promocion"] == "Promoción de Salón Uno"
    codes = set(db.session.scalars(select(QuickReply.short_code)))
    assert codes == {"cp_confirmacion", "cp_recordatorio", "cp_cancelacion", "cp_reprogramacion", "cp_promocion"}


def test_the_simulator_keeps_short_codes_unique_per_account(wired_tenant, chatwoot):
    api = client_for_tenant(wired_tenant.id)
    first = api.create_canned_response("horario", "10 a 20 h")
    with pytest.raises(ChatwootValidationError, match="Short code has already been taken"):
        api.create_canned_response("horario", "otro")
    assert api.update_canned_response(first["id"], "10 a 21 h")["content"] == "10 a 21 h"
    api.delete_canned_response(first["id"])
    assert api.list_canned_responses() == []
