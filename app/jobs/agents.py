"""Assigning a linked client's conversation in Chatwoot: claim, commit, one call, record."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.chatwoot.client import client_for_tenant
from app.chatwoot.errors import ChatwootError
from app.extensions import db
from app.queue import app_task
from app.services.agents.assignment import assignment_done, claim_assignment, release_claim


@app_task()
def assign_conversation(tenant_id: str, conversation_id: str, client_id: str) -> None:
    """Assign the conversation to the stylist's agent (or the default); one call per conversation."""
    try:
        target = claim_assignment(tenant_id, conversation_id, client_id)
        db.session.commit()  # the claim is visible before the call: a second job finds it and stops
    except IntegrityError:
        db.session.rollback()  # another job claimed it first
        return
    if target is None:
        return
    try:
        client_for_tenant(tenant_id).assign_conversation(conversation_id, assignee_id=target.agent_id,
                                                         team_id=target.team_id)
    except ChatwootError:  # includes missing settings: the claim goes, the next message tries again
        release_claim(tenant_id, conversation_id)
        db.session.commit()
        raise
    assignment_done(tenant_id, conversation_id)
    db.session.commit()
