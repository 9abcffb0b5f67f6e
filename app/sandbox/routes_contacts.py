"""Contacts endpoints: list, search, create, show, update, inboxes, conversations, merge."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from .contacts import (
    contactable_inboxes,
    create_contact,
    destroy_custom_attributes,
    find_or_create_link,
    merge_contacts,
    update_contact,
)
from .conversations import authorize_inbox
from .errors import not_found, unprocessable
from .formats import blank, page_number, ruby_bool, ruby_int
from .records import Contact
from .search import PER_PAGE, page_of, resolved_contacts, search_contacts
from .views import contact_json, conversation_json, inbox_row, slim_inbox
from .web import Ctx, account_endpoint, request_params

contact_routes = Blueprint("sim_contacts", __name__)
SEARCH_REQUIRED = "Specify search string with parameter q"


def find_contact(ctx: Ctx, contact_id: str) -> Contact:
    """The account's contact or 404."""
    contact = ctx.sim.contact_in(ctx.account.id, ruby_int(contact_id))
    if contact is None:
        raise not_found()
    return contact


def echoed_page() -> Any:
    """`params[:page] || 1`: the raw string when sent, the number 1 when not."""
    raw = request.args.get("page")
    return raw if raw is not None else 1


def listed(ctx: Ctx, contacts: list[Contact]) -> list[dict[str, Any]]:
    """One page of contacts, with contact_inboxes unless `include_contact_inboxes=false`."""
    with_inboxes = ruby_bool(request.args.get("include_contact_inboxes"), default=True)
    page = page_of(contacts, page_number(request.args.get("page")))
    return [contact_json(ctx.sim, contact, with_inboxes) for contact in page]


@account_endpoint(contact_routes, "/contacts")
def list_contacts(ctx: Ctx) -> dict[str, Any]:
    """Resolved contacts only (email, phone or identifier), 15 per page."""
    contacts = resolved_contacts(ctx.sim, ctx.account.id)
    return {"meta": {"count": len(contacts), "current_page": echoed_page()}, "payload": listed(ctx, contacts)}


@account_endpoint(contact_routes, "/contacts/search")
def search(ctx: Ctx) -> dict[str, Any]:
    """Substring search; a '+' in the query string already arrived as a space and is stripped here."""
    query = request.args.get("q")
    if blank(query):
        raise unprocessable(SEARCH_REQUIRED)
    found = search_contacts(ctx.sim, ctx.account.id, query.strip(" \t\r\n\f\v\0"))
    has_more = page_number(request.args.get("page")) * PER_PAGE < len(found)
    meta = {"count": len(found), "current_page": echoed_page(), "has_more": has_more}
    return {"meta": meta, "payload": listed(ctx, found)}


@account_endpoint(contact_routes, "/contacts", ("POST",))
def create(ctx: Ctx) -> dict[str, Any]:
    """Create a contact (and a contact inbox when `inbox_id` is given)."""
    contact, link = create_contact(ctx.sim, ctx.account.id, request_params())
    inbox = ctx.sim.db.inboxes[link.inbox_id] if link else None
    return {"payload": {"contact": contact_json(ctx.sim, contact, with_inboxes=True),
                        "contact_inbox": {"inbox": inbox_row(inbox) if inbox else None,
                                          "source_id": link.source_id if link else None}}}


@account_endpoint(contact_routes, "/contacts/<contact_id>")
def show(ctx: Ctx, contact_id: str) -> dict[str, Any]:
    """`{payload: contact}`."""
    return {"payload": contact_json(ctx.sim, find_contact(ctx, contact_id), with_inboxes=True)}


@account_endpoint(contact_routes, "/contacts/<contact_id>", ("PUT", "PATCH"))
def update(ctx: Ctx, contact_id: str) -> dict[str, Any]:
    """Assign the sent fields; attribute hashes are shallow-merged."""
    contact = update_contact(ctx.sim, find_contact(ctx, contact_id), request_params())
    return {"payload": contact_json(ctx.sim, contact, with_inboxes=True)}


@account_endpoint(contact_routes, "/contacts/<contact_id>/destroy_custom_attributes", ("POST",))
def drop_custom_attributes(ctx: Ctx, contact_id: str) -> dict[str, Any]:
    """Remove the listed custom attribute keys."""
    keys = request_params().get("custom_attributes")
    contact = destroy_custom_attributes(ctx.sim, find_contact(ctx, contact_id), keys)
    return {"payload": contact_json(ctx.sim, contact, with_inboxes=True)}


def may_read(ctx: Ctx, inbox_id: int) -> bool:
    """Administrators read every inbox, agents their own."""
    return ctx.user.is_admin or ctx.user.token in ctx.sim.db.inboxes[inbox_id].members


@account_endpoint(contact_routes, "/contacts/<contact_id>/conversations")
def contact_conversations(ctx: Ctx, contact_id: str) -> dict[str, Any]:
    """The contact's conversations in inboxes the caller may see."""
    contact = find_contact(ctx, contact_id)
    keys = sorted(key for key, c in ctx.sim.db.conversations.items() if c.contact_id == contact.id)
    found = [ctx.sim.db.conversations[key] for key in keys]
    allowed = [c for c in found if may_read(ctx, c.inbox_id)]
    return {"payload": [conversation_json(ctx.sim, conversation) for conversation in allowed]}


@account_endpoint(contact_routes, "/contacts/<contact_id>/contactable_inboxes")
def reachable_inboxes(ctx: Ctx, contact_id: str) -> dict[str, Any]:
    """Inboxes that can reach the contact, with the source id each would use."""
    pairs = contactable_inboxes(ctx.sim, find_contact(ctx, contact_id))
    return {"payload": [{"inbox": slim_inbox(inbox), "source_id": source_id} for inbox, source_id in pairs]}


@account_endpoint(contact_routes, "/contacts/<contact_id>/contact_inboxes", ("POST",))
def add_contact_inbox(ctx: Ctx, contact_id: str) -> dict[str, Any]:
    """Find or create the (contact, inbox, source_id) link."""
    contact, params = find_contact(ctx, contact_id), request_params()
    inbox = ctx.sim.inbox_in(ctx.account.id, ruby_int(params.get("inbox_id")))
    if inbox is None:
        raise not_found()
    authorize_inbox(ctx.user, inbox)
    link = find_or_create_link(ctx.sim, contact, inbox, params.get("source_id"))
    return {"source_id": link.source_id, "inbox": slim_inbox(inbox)}


@account_endpoint(contact_routes, "/actions/contact_merge", ("POST",))
def merge(ctx: Ctx) -> dict[str, Any]:
    """Merge the mergee into the base contact; responds with the flat base contact."""
    params = request_params()
    base_id, mergee_id = params.get("base_contact_id"), params.get("mergee_contact_id")
    base = merge_contacts(ctx.sim, ctx.account.id, base_id, mergee_id)
    return contact_json(ctx.sim, base)
