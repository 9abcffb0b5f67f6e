"""Profile, inboxes, custom attribute definitions and account webhooks."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, request

from .canned import canned_json, canned_of, save_canned
from .errors import NOT_AUTHORIZED, not_found, unauthorized
from .formats import iso_ms, ruby_int
from .records import Inbox, User
from .settings import create_definition, definition_json, definitions_of, save_webhook, webhook_json
from .views import assignee_json, inbox_json, team_json
from .web import Ctx, account_endpoint, authenticate, current_sim, request_params

account_routes = Blueprint("sim_account", __name__)


@account_routes.get("/api/v1/profile")
def profile() -> dict[str, Any]:
    """`GET /api/v1/profile`: user tokens only."""
    sim = current_sim()
    with sim.lock:
        return profile_json(sim, authenticate(sim, allow_bots=False))


def profile_json(sim: Any, user: User) -> dict[str, Any]:
    """`api/v1/models/_user` with the accounts the user belongs to."""
    accounts = [sim.db.accounts[key] for key in user.account_ids if key in sim.db.accounts]
    return {
        "access_token": user.token, "account_id": accounts[0].id if accounts else None,
        "available_name": user.name, "avatar_url": "", "confirmed": True, "display_name": None,
        "message_signature": None, "email": user.email, "id": user.id, "inviter_id": None, "name": user.name,
        "provider": "email", "pubsub_token": hashlib.sha1(user.token.encode()).hexdigest()[:24],
        "role": user.role, "ui_settings": {}, "uid": user.email, "type": None,
        "accounts": [{"id": account.id, "name": account.name, "status": "active", "onboarding_step": None,
                      "active_at": iso_ms(account.created_at), "role": user.role, "permissions": [user.role],
                      "availability": "online", "availability_status": "online", "auto_offline": True}
                     for account in accounts],
    }


def require_admin(ctx: Ctx) -> None:
    """Administrator-only actions answer agents with the policy 401."""
    if not ctx.user.is_admin:
        raise unauthorized(NOT_AUTHORIZED)


def visible(ctx: Ctx, inbox: Inbox) -> bool:
    """Administrators see every inbox, agents only their own."""
    return ctx.user.is_admin or ctx.user.token in inbox.members


@account_endpoint(account_routes, "/inboxes")
def list_inboxes(ctx: Ctx) -> dict[str, Any]:
    """`GET /inboxes` → `{payload: [...]}`."""
    inboxes = sorted((i for i in ctx.sim.db.inboxes.values() if i.account_id == ctx.account.id),
                     key=lambda inbox: inbox.id)
    return {"payload": [inbox_json(inbox, ctx.user.is_admin) for inbox in inboxes if visible(ctx, inbox)]}


@account_endpoint(account_routes, "/inboxes/<inbox_id>")
def show_inbox(ctx: Ctx, inbox_id: str) -> dict[str, Any]:
    """`GET /inboxes/{id}` → the inbox object (404 unknown, 401 for non-member agents)."""
    inbox = ctx.sim.inbox_in(ctx.account.id, ruby_int(inbox_id))
    if inbox is None:
        raise not_found()
    if not visible(ctx, inbox):
        raise unauthorized(NOT_AUTHORIZED)
    return inbox_json(inbox, ctx.user.is_admin)


@account_endpoint(account_routes, "/agents")
def list_agents(ctx: Ctx) -> list[dict[str, Any]]:
    """The account's users (never its bots), as a bare array in id order; any member may list them."""
    members = sorted((user for user in ctx.sim.db.users.values()
                      if ctx.account.id in user.account_ids and not user.is_bot), key=lambda user: user.id)
    return [assignee_json(user, ctx.account.id) for user in members]


@account_endpoint(account_routes, "/teams")
def list_teams(ctx: Ctx) -> list[dict[str, Any]]:
    """The account's teams, a bare array in id order."""
    return [team_json(team) for team in sorted(ctx.sim.db.teams.values(), key=lambda team: team.id)
            if team.account_id == ctx.account.id]


@account_endpoint(account_routes, "/canned_responses")
def list_canned(ctx: Ctx) -> list[dict[str, Any]]:
    """A bare array; `search` filters by short code, then content."""
    return [canned_json(c) for c in canned_of(ctx.sim, ctx.account.id, request.args.get("search"))]


@account_endpoint(account_routes, "/canned_responses", ("POST",))
def create_canned(ctx: Ctx) -> dict[str, Any]:
    return canned_json(save_canned(ctx.sim, ctx.account.id, request_params()))


def _canned(ctx: Ctx, canned_id: str):
    canned = ctx.sim.db.canned_responses.get(ruby_int(canned_id))
    if canned is None or canned.account_id != ctx.account.id:
        raise not_found()
    return canned


@account_endpoint(account_routes, "/canned_responses/<canned_id>", ("PATCH", "PUT"))
def update_canned(ctx: Ctx, canned_id: str) -> dict[str, Any]:
    return canned_json(save_canned(ctx.sim, ctx.account.id, request_params(), _canned(ctx, canned_id)))


@account_endpoint(account_routes, "/canned_responses/<canned_id>", ("DELETE",))
def delete_canned(ctx: Ctx, canned_id: str) -> tuple[str, int]:
    """`head :ok`."""
    del ctx.sim.db.canned_responses[_canned(ctx, canned_id).id]
    return "", 200


@account_endpoint(account_routes, "/custom_attribute_definitions")
def list_definitions(ctx: Ctx) -> list[dict[str, Any]]:
    """A bare array, filtered by `attribute_model` when given."""
    found = definitions_of(ctx.sim, ctx.account.id, request.args.get("attribute_model"))
    return [definition_json(definition) for definition in found]


@account_endpoint(account_routes, "/custom_attribute_definitions", ("POST",))
def create_definition_view(ctx: Ctx) -> dict[str, Any]:
    """Administrators only."""
    require_admin(ctx)
    return definition_json(create_definition(ctx.sim, ctx.account.id, request_params()))


@account_endpoint(account_routes, "/webhooks")
def list_webhooks(ctx: Ctx) -> dict[str, Any]:
    """`{payload: {webhooks: [...]}}`, administrators only."""
    require_admin(ctx)
    hooks = sorted((h for h in ctx.sim.db.webhooks.values() if h.account_id == ctx.account.id),
                   key=lambda hook: hook.id)
    return {"payload": {"webhooks": [webhook_json(hook) for hook in hooks]}}


@account_endpoint(account_routes, "/webhooks", ("POST",))
def create_webhook(ctx: Ctx) -> dict[str, Any]:
    """Create an account webhook; the response carries the signing secret."""
    require_admin(ctx)
    hook = save_webhook(ctx.sim, ctx.account.id, request_params(), None)
    return {"payload": {"webhook": webhook_json(hook)}}


@account_endpoint(account_routes, "/webhooks/<webhook_id>", ("PATCH", "PUT"))
def update_webhook(ctx: Ctx, webhook_id: str) -> dict[str, Any]:
    """Change url, name or subscriptions."""
    require_admin(ctx)
    hook = ctx.sim.db.webhooks.get(ruby_int(webhook_id))
    if hook is None or hook.account_id != ctx.account.id:
        raise not_found()
    hook = save_webhook(ctx.sim, ctx.account.id, request_params(), hook)
    return {"payload": {"webhook": webhook_json(hook)}}


@account_endpoint(account_routes, "/webhooks/<webhook_id>", ("DELETE",))
def delete_webhook(ctx: Ctx, webhook_id: str) -> tuple[str, int]:
    """Remove an account webhook (`head :ok`)."""
    require_admin(ctx)
    hook = ctx.sim.db.webhooks.get(ruby_int(webhook_id))
    if hook is None or hook.account_id != ctx.account.id:
        raise not_found()
    del ctx.sim.db.webhooks[hook.id]
    return "", 200
