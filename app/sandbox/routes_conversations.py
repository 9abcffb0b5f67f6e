"""Conversation and message endpoints."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from .conversations import authorize_inbox, create_conversation, sender_of, toggle_status
from .errors import ApiError, RecordInvalid, not_found, unprocessable
from .formats import iso_ms, ruby_int
from .messages import create_message, deliver_to_channel, set_status
from .records import API, Conversation, Message
from .views import assignee_json, contact_push, conversation_json, message_json, team_json, user_push
from .web import Ctx, account_endpoint, request_params

conversation_routes = Blueprint("sim_conversations", __name__)
PAGE_BEFORE, PAGE_AFTER = 20, 100
STATUS_API_ONLY = "Message status update is only allowed for API inboxes"


def find_conversation(ctx: Ctx, display_id: str) -> Conversation:
    """The conversation by display id (404), readable by the caller (401)."""
    conversation = ctx.sim.conversation_in(ctx.account.id, ruby_int(display_id))
    if conversation is None:
        raise not_found()
    authorize_inbox(ctx.user, ctx.sim.db.inboxes[conversation.inbox_id])
    return conversation


@account_endpoint(conversation_routes, "/conversations", ("POST",), bots=True)
def create(ctx: Ctx) -> dict[str, Any]:
    """Create (or, for locked inboxes, reuse) a conversation, with an optional first message."""
    conversation, message = create_conversation(ctx.sim, ctx.user, ctx.account.id, request_params())
    body = conversation_json(ctx.sim, conversation)  # rendered before WhatsApp accepts: source_id still null
    if message is not None:
        deliver_to_channel(ctx.sim, conversation, message)
    return body


@account_endpoint(conversation_routes, "/conversations/<display_id>", bots=True)
def show(ctx: Ctx, display_id: str) -> dict[str, Any]:
    """The conversation object."""
    return conversation_json(ctx.sim, find_conversation(ctx, display_id))


@account_endpoint(conversation_routes, "/conversations/<display_id>/toggle_status", ("POST",), bots=True)
def change_status(ctx: Ctx, display_id: str) -> dict[str, Any]:
    """Set or toggle the status."""
    return toggle_status(ctx.sim, find_conversation(ctx, display_id), request_params())


@account_endpoint(conversation_routes, "/conversations/<display_id>/custom_attributes", ("POST",), bots=True)
def replace_custom_attributes(ctx: Ctx, display_id: str) -> dict[str, Any]:
    """Replace the whole custom attribute hash (unlike contacts, which merge)."""
    conversation = find_conversation(ctx, display_id)
    new = request_params().get("custom_attributes")
    replacement = dict(new) if isinstance(new, dict) else {}
    ctx.sim.change_conversation(conversation, {"custom_attributes": replacement})
    return {"custom_attributes": conversation.custom_attributes}


@account_endpoint(conversation_routes, "/conversations/<display_id>/assignments", ("POST",), bots=True)
def assign(ctx: Ctx, display_id: str) -> Response:
    """`assignee_id` wins over `team_id`; an id that is no agent (team) of the account unassigns and answers
    null. With neither, Chatwoot answers 404."""
    conversation = find_conversation(ctx, display_id)
    params = request_params()
    if "assignee_id" not in params:
        if "team_id" not in params:
            raise not_found()
        return _assign_team(ctx, conversation, ruby_int(params.get("team_id")))
    agent = ctx.sim.user_by_id(ruby_int(params.get("assignee_id")))
    if agent is None or agent.is_bot or ctx.account.id not in agent.account_ids:
        agent = None
    ctx.sim.change_conversation(conversation, {"assignee_id": agent.id if agent else None})
    return jsonify(assignee_json(agent, ctx.account.id) if agent else None)


def _assign_team(ctx: Ctx, conversation, team_id: int | None) -> Response:
    """`conversation.update!(team: account.teams.find_by(id:))`: the team's JSON, or null (and no team)."""
    team = ctx.sim.db.teams.get(team_id) if team_id is not None else None
    if team is not None and team.account_id != ctx.account.id:
        team = None
    ctx.sim.change_conversation(conversation, {"team_id": team.id if team else None})
    return jsonify(team_json(team) if team else None)


@account_endpoint(conversation_routes, "/conversations/<display_id>/messages")
def list_messages(ctx: Ctx, display_id: str) -> dict[str, Any]:
    """`MessageFinder`: the latest 20, 20 before `before`, or up to 100 after `after`; oldest first."""
    conversation = find_conversation(ctx, display_id)
    return {"meta": _messages_meta(ctx, conversation),
            "payload": [message_json(ctx.sim, message) for message in _window(ctx, conversation)]}


def _window(ctx: Ctx, conversation: Conversation) -> list[Message]:
    """The slice of messages the finder returns."""
    messages = ctx.sim.conversation_messages(conversation)
    before, after = ruby_int(request.args.get("before")), ruby_int(request.args.get("after"))
    if after is not None:
        return [m for m in messages if m.id > after][:PAGE_AFTER]
    if before is not None:
        messages = [m for m in messages if m.id < before]
    return messages[-PAGE_BEFORE:]


def _messages_meta(ctx: Ctx, conversation: Conversation) -> dict[str, Any]:
    """Labels, attributes, contact and assignee of the conversation."""
    assignee = ctx.sim.user_by_id(conversation.assignee_id)
    return {"labels": [], "additional_attributes": conversation.additional_attributes,
            "contact": contact_push(ctx.sim.db.contacts[conversation.contact_id]),
            "assignee": user_push(assignee) if assignee else None,
            "agent_last_seen_at": iso_ms(conversation.agent_last_seen_at), "assignee_last_seen_at": None}


@account_endpoint(conversation_routes, "/conversations/<display_id>/messages", ("POST",), bots=True)
def create_message_view(ctx: Ctx, display_id: str) -> dict[str, Any]:
    """Any failure inside the builder is a 422 `{"error": ...}`; the response predates channel delivery."""
    conversation = find_conversation(ctx, display_id)
    try:
        _, response = create_message(ctx.sim, conversation, request_params(), sender_of(ctx.user))
    except RecordInvalid as error:
        raise unprocessable("Validation failed: " + error.full_messages()) from error
    except ApiError as error:
        raise unprocessable(str(error.body.get("error", error.body))) from error
    return response


@account_endpoint(conversation_routes, "/conversations/<display_id>/messages/<message_id>", ("PATCH", "PUT"))
def update_message_status(ctx: Ctx, display_id: str, message_id: str) -> dict[str, Any]:
    """API inboxes only (403 otherwise); read → delivered is ignored."""
    conversation = find_conversation(ctx, display_id)
    if ctx.sim.db.inboxes[conversation.inbox_id].channel_type != API:
        raise ApiError(403, {"error": STATUS_API_ONLY})
    message = ctx.sim.db.messages.get(ruby_int(message_id))
    owner = (message.account_id, message.conversation_id) if message else None
    if owner != (ctx.account.id, conversation.display_id):
        raise not_found()
    params = request_params()
    set_status(ctx.sim, message, str(params.get("status")), params.get("external_error"))
    return message_json(ctx.sim, message)
