"""Configuración › Agentes: the account's agents and teams (from Chatwoot), each stylist's agent, the defaults."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import ChatwootConfig
from app.services.agents.assignment import known_stylists, save_agent_settings, stylist_mappings
from app.services.agents.directory import account_agents
from app.services.agents.panel import panel_url
from app.transactions import unit_of_work
from app.web.refusals import flash_refusal
from app.web.settings import bp
from app.web.settings.page import saved


def _agent_id(value: str | None, allowed: set[int]) -> int | None:
    """A posted agent (or team) id, kept only when it is one of those listed (or the one already stored)."""
    return int(value) if value and value.isdigit() and int(value) in allowed else None


@bp.get("/agents")
def agents():
    listing = account_agents(g.tenant.id)
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == g.tenant.id))
    mapped = {m.staff_name: m.agent_id for m in stylist_mappings(g.tenant.id)}
    panel = panel_url(g.tenant) if config and config.panel_token else None
    return render_template("settings/agents.html", listing=listing, stylists=known_stylists(g.tenant.id),
                           mapped=mapped, default_agent_id=config.default_agent_id if config else None,
                           default_team_id=config.default_team_id if config else None, panel=panel)


@bp.post("/panel-url")
def new_panel_url():
    """Make the Dashboard App URL (again): the previous one stops working at once."""
    with unit_of_work() as work:
        panel_url(g.tenant, rotate=True, by=current_user)
    if work.error:
        flash_refusal(work.error)
    return redirect(url_for("settings.agents", _anchor="panel"))


@bp.post("/agents")
def save_agents():
    stored = {m.agent_id for m in stylist_mappings(g.tenant.id)}
    listing = account_agents(g.tenant.id)
    allowed = {a["id"] for a in listing.agents} | stored
    mapping = {name: _agent_id(request.form.get(f"stylist-{index}"), allowed)
               for index, name in enumerate(known_stylists(g.tenant.id))}
    teams = {t["id"] for t in listing.teams}
    with unit_of_work() as work:
        save_agent_settings(g.tenant, current_user, mapping, _agent_id(request.form.get("default_agent"), allowed),
                            _agent_id(request.form.get("default_team"), teams))
    if work.error:
        flash_refusal(work.error)
        return redirect(url_for("settings.agents"))
    return saved("agentes", _("Asignación de conversaciones guardada."))
