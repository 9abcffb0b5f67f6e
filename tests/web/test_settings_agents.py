"""Configuración › Agentes de Chatwoot: the account's agents listed from the simulator (GET …/agents),
each stylist's agent and the default agent saved and audited."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, AuditLog, ChatwootConfig, StylistAgent, utcnow
from tests.fixtures.notifications import make_client
from tests.fixtures.simulator import ACCOUNT_ID


def test_agents_are_listed_and_stylists_mapped(admin, wired_tenant, chatwoot):
    chatwoot.sim.add_user(token="tok-lupe", account_ids=[ACCOUNT_ID], role="agent", name="Lupe Agente")
    lupe = chatwoot.sim.db.users["tok-lupe"].id
    client = make_client(wired_tenant)
    db.session.add(Appointment(tenant_id=wired_tenant.id, client_id=client.id, staff_name="Lupita",
                               starts_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    assert 'href="/t/uno/settings/agents"' in admin.get("/t/uno/settings/").text
    page = admin.get("/t/uno/settings/agents").text
    assert "Lupe Agente" in page and "Carlos Ruiz" in page and "Lupita" in page
    response = admin.post("/t/uno/settings/agents", {"stylist-0": str(lupe), "default_agent": "999"})
    assert response.status_code == 302
    assert db.session.scalar(select(StylistAgent.agent_id).where(StylistAgent.staff_name == "Lupita")) == lupe
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == wired_tenant.id))
    assert config.default_agent_id is None, "999 is no agent of the account"
    assert db.session.scalar(select(AuditLog.details).where(AuditLog.action == "chatwoot.stylist_agent")) == {
        "before": None, "after": lupe}
    assert f'value="{lupe}" selected' in admin.get("/t/uno/settings/agents").text


def test_without_credentials_the_page_says_why(admin, tenant):
    page = admin.get("/t/uno/settings/agents").text
    assert "No se pudo leer la lista de agentes de Chatwoot" in page


def test_the_panel_url_is_made_and_rotated_in_configuracion(admin, tenant):
    assert 'id="panel-url"' not in admin.get("/t/uno/settings/agents").text
    assert admin.post("/t/uno/settings/panel-url", {}).status_code == 302
    page = admin.get("/t/uno/settings/agents").text
    first = page.split('<code id="panel-url">', 1)[1].split("<", 1)[0]
    assert "/chatwoot/app/" in first and "Aplicaciones del panel" in page
    admin.post("/t/uno/settings/panel-url", {})
    second = admin.get("/t/uno/settings/agents").text.split('<code id="panel-url">', 1)[1].split("<", 1)[0]
    assert second != first
    assert admin.http.get(urlsplit(first).path).status_code == 404
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "settings.panel_token_rotated")) is not None


def test_a_default_team_is_chosen_from_the_accounts_teams(admin, wired_tenant, chatwoot):
    team = chatwoot.sim.add_team(ACCOUNT_ID, "Recepción")
    foreign = chatwoot.sim.add_team(ACCOUNT_ID + 1, "Otra cuenta")
    page = admin.get("/t/uno/settings/agents").text
    assert "Recepción" in page and "Otra cuenta" not in page
    assert admin.post("/t/uno/settings/agents", {"default_team": str(foreign)}).status_code == 302
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == wired_tenant.id))
    assert config.default_team_id is None, "a team of another account is not offered nor taken"
    assert admin.post("/t/uno/settings/agents", {"default_team": str(team)}).status_code == 302
    db.session.refresh(config)
    assert config.default_team_id == team
    assert db.session.scalar(select(AuditLog.details).where(AuditLog.action == "chatwoot.default_team")) == {
        "before": None, "after": team}
    assert f'value="{team}" selected' in admin.get("/t/uno/settings/agents").text
