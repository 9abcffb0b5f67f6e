"""The account's agents and teams as Chatwoot lists them, for Configuración (read-only, no transaction kept open)."""

from __future__ import annotations

from dataclasses import dataclass

from app.chatwoot.client import client_for_tenant
from app.chatwoot.errors import ChatwootError


@dataclass(frozen=True)
class AgentList:
    agents: list[dict]
    error: str | None = None
    teams: tuple[dict, ...] = ()


def account_agents(tenant_id: str) -> AgentList:
    """GET …/agents and …/teams; the error says why the lists are empty (no credentials, Chatwoot down...)."""
    try:
        api = client_for_tenant(tenant_id)
    except ChatwootError as exc:
        return AgentList([], str(exc))
    try:
        agents = [{"id": a.get("id"), "name": a.get("available_name") or a.get("name"), "email": a.get("email"),
                   "role": a.get("role")} for a in api.list_agents()]
        teams = tuple({"id": t.get("id"), "name": t.get("name")} for t in api.list_teams())
        return AgentList(agents, teams=teams)
    except ChatwootError as exc:
        return AgentList([], str(exc))
    finally:
        api.close()
