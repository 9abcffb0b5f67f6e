"""Conversations of linked clients go to the agent of their next appointment's stylist (INTERFACES §9).

The webhook worker only asks (enqueue after commit); the assignment job claims the conversation with a
`conversation_assignments` row, commits, then makes the one Chatwoot call: a unique (tenant, conversation)
row is what keeps it to one call per conversation, whatever the number of messages or workers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    ChatwootConfig,
    ConversationAssignment,
    StylistAgent,
    Tenant,
    User,
    utcnow,
)
from app.queue import enqueue_after_commit
from app.services.audit import record

ASSIGN_TASK = "assign_conversation"
UPCOMING = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)


def request_assignment(tenant_id: str, conversation_id: str | None, client_id: str) -> None:
    """Ask the worker to assign this linked client's conversation (once this transaction commits)."""
    if conversation_id and not _claimed(tenant_id, conversation_id):
        enqueue_after_commit(ASSIGN_TASK, tenant_id, conversation_id, client_id)


def _claimed(tenant_id: str, conversation_id: str) -> bool:
    return db.session.scalar(select(ConversationAssignment.id).where(
        ConversationAssignment.tenant_id == tenant_id,
        ConversationAssignment.conversation_id == conversation_id)) is not None


def next_stylist(client_id: str) -> str | None:
    """The staff name of the client's next scheduled or confirmed appointment."""
    return db.session.scalar(select(Appointment.staff_name).where(
        Appointment.client_id == client_id, Appointment.starts_at >= utcnow(), Appointment.status.in_(UPCOMING))
        .order_by(Appointment.starts_at).limit(1))


def stylist_agent(tenant_id: str, staff_name: str | None) -> int | None:
    if not staff_name:
        return None
    return db.session.scalar(select(StylistAgent.agent_id).where(
        StylistAgent.tenant_id == tenant_id, StylistAgent.staff_name == staff_name.strip()))


@dataclass(frozen=True)
class Target:
    agent_id: int | None
    team_id: int | None


def target_for(tenant_id: str, client_id: str) -> Target | None:
    """The stylist's agent, else the tenant's default agent or team; None when nobody is set."""
    agent_id = stylist_agent(tenant_id, next_stylist(client_id))
    if agent_id is not None:
        return Target(agent_id, None)
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant_id))
    if config is None or (config.default_agent_id is None and config.default_team_id is None):
        return None
    return Target(config.default_agent_id, None if config.default_agent_id else config.default_team_id)


def claim_assignment(tenant_id: str, conversation_id: str, client_id: str) -> Target | None:
    """Claim the conversation for one assignment call (flushed; the unique row refuses a second claim)."""
    if _claimed(tenant_id, conversation_id):
        return None
    target = target_for(tenant_id, client_id)
    if target is None:
        return None
    db.session.add(ConversationAssignment(tenant_id=tenant_id, conversation_id=conversation_id,
                                          client_id=client_id, agent_id=target.agent_id, team_id=target.team_id))
    db.session.flush()
    return target


def assignment_done(tenant_id: str, conversation_id: str) -> None:
    row = db.session.scalar(select(ConversationAssignment).where(
        ConversationAssignment.tenant_id == tenant_id, ConversationAssignment.conversation_id == conversation_id))
    row.assigned_at = utcnow()


def release_claim(tenant_id: str, conversation_id: str) -> None:
    """Chatwoot refused or failed: forget the claim, so the client's next message tries again."""
    db.session.execute(delete(ConversationAssignment).where(
        ConversationAssignment.tenant_id == tenant_id, ConversationAssignment.conversation_id == conversation_id))


def map_stylist(tenant: Tenant, staff_name: str, agent_id: int | None, by: User | str) -> None:
    """Map a stylist to an agent (None removes the mapping); audited."""
    staff_name = " ".join(staff_name.split())
    if not staff_name:
        raise ValueError("staff name is empty")
    row = db.session.scalar(select(StylistAgent).where(StylistAgent.tenant_id == tenant.id,
                                                       StylistAgent.staff_name == staff_name))
    previous = row.agent_id if row else None
    if agent_id is None and row is not None:
        db.session.delete(row)
    elif agent_id is not None and row is None:
        db.session.add(StylistAgent(tenant_id=tenant.id, staff_name=staff_name, agent_id=agent_id))
    elif row is not None:
        row.agent_id = agent_id
    record("chatwoot.stylist_agent", tenant_id=tenant.id, by=by, target_type="stylist", target_id=staff_name,
           before=previous, after=agent_id)


def stylist_mappings(tenant_id: str) -> list[StylistAgent]:
    return list(db.session.scalars(select(StylistAgent).where(StylistAgent.tenant_id == tenant_id)
                                   .order_by(StylistAgent.staff_name)))


def known_stylists(tenant_id: str) -> list[str]:
    """Every staff name of the tenant's appointments and mappings, sorted."""
    booked = db.session.scalars(select(Appointment.staff_name).where(
        Appointment.tenant_id == tenant_id, Appointment.staff_name != "").distinct())
    return sorted({name.strip() for name in booked} | {m.staff_name for m in stylist_mappings(tenant_id)})


def save_agent_settings(tenant: Tenant, user: User, mapping: dict[str, int | None],
                        default_agent_id: int | None, default_team_id: int | None = None) -> None:
    """Configuración: the stylists' agents, the default agent and team, each change audited."""
    current = {m.staff_name: m.agent_id for m in stylist_mappings(tenant.id)}
    for staff_name, agent_id in mapping.items():
        if current.get(staff_name) != agent_id:
            map_stylist(tenant, staff_name, agent_id, user)
    set_default_assignee(tenant, user, agent_id=default_agent_id, team_id=default_team_id)


def set_default_assignee(tenant: Tenant, by: User | str, *, agent_id: int | None, team_id: int | None) -> None:
    """Who takes a linked client's conversation when her stylist has no agent: the agent, else the team."""
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))
    for column, action, value in (("default_agent_id", "chatwoot.default_agent", agent_id),
                                  ("default_team_id", "chatwoot.default_team", team_id)):
        if getattr(config, column) != value:
            record(action, tenant_id=tenant.id, by=by, target_type="tenant", target_id=tenant.id,
                   before=getattr(config, column), after=value)
            setattr(config, column, value)
