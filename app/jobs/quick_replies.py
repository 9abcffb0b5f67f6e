"""Publishing the tenant's templates as Chatwoot canned responses: read, commit, call Chatwoot, record."""

from __future__ import annotations

import contextlib

from app.chatwoot.client import ChatwootClient, client_for_tenant
from app.chatwoot.errors import ChatwootConfigError, ChatwootNotFound
from app.extensions import db
from app.queue import app_task
from app.services.agents.quick_replies import PublishPlan, publish_plan, record_published


def _bring_in_step(api: ChatwootClient, plan: PublishPlan) -> dict[str, int]:
    """Create, update and delete our canned responses only; returns {short_code: id} now published."""
    remote = {c.get("id"): c for c in api.list_canned_responses()}
    by_code = {c.get("short_code"): c for c in remote.values()}
    published = {}
    for code, content in plan.desired.items():
        current = remote.get(plan.known.get(code)) or by_code.get(code)
        if current is None:
            current = api.create_canned_response(code, content)
        elif current.get("content") != content or current.get("short_code") != code:
            current = api.update_canned_response(current["id"], content)
        published[code] = int(current["id"])
    for code, canned_id in plan.known.items():
        if code not in plan.desired and canned_id in remote:
            with contextlib.suppress(ChatwootNotFound):  # an agent deleted it first
                api.delete_canned_response(canned_id)
    return published


@app_task()
def publish_quick_replies(tenant_id: str) -> None:
    plan = publish_plan(tenant_id)
    db.session.commit()  # end the read before calling Chatwoot
    if plan is None:
        return
    try:
        api = client_for_tenant(tenant_id)
    except ChatwootConfigError:
        return  # nothing to publish to; the next template edit after configuring publishes everything
    try:
        published = _bring_in_step(api, plan)
    finally:
        api.close()
    record_published(tenant_id, published)
    db.session.commit()
