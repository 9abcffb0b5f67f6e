"""The simulator's small read-only pages, at the paths Chatwoot's own UI uses (so "abrir en Chatwoot" works)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template

from .formats import iso_ms
from .records import MESSAGE_TYPE_NAMES, WHATSAPP, Contact, Conversation, Message
from .simulator import ChatwootSimulator
from .web import current_sim

page_routes = Blueprint("sim_pages", __name__)
DELIVERIES_SHOWN = 15


@page_routes.get("/")
def home() -> str:
    """Accounts, inboxes, tokens, webhooks, recent deliveries, and the "a customer writes" form."""
    return render_template("simulator/home.html", **home_data(current_sim()), error=None, form={})


@page_routes.get("/app/accounts/<int:account_id>/contacts/<int:contact_id>")
def contact(account_id: int, contact_id: int) -> str:
    """One contact: fields, custom attributes and conversations."""
    sim = current_sim()
    with sim.lock:
        found = sim.contact_in(account_id, contact_id) or abort(404)
        conversations = sorted((c for c in sim.db.conversations.values() if c.contact_id == found.id),
                               key=lambda c: c.display_id)
        rows = [_conversation_row(sim, c) for c in conversations]
        inboxes = [sim.db.inboxes[link.inbox_id].name for link in sim.contact_inboxes_of(found.id)]
        return render_template("simulator/contact.html", contact=found, conversations=rows, inboxes=inboxes)


@page_routes.get("/app/accounts/<int:account_id>/conversations/<int:display_id>")
def conversation(account_id: int, display_id: int) -> str:
    """One conversation with every message, private notes included (as agents see them)."""
    sim = current_sim()
    with sim.lock:
        found = sim.conversation_in(account_id, display_id) or abort(404)
        messages = [_message_row(sim, m) for m in sim.conversation_messages(found)]
        return render_template("simulator/conversation.html", conversation=_conversation_row(sim, found),
                               contact=sim.db.contacts.get(found.contact_id), messages=messages)


def home_data(sim: ChatwootSimulator) -> dict[str, Any]:
    """Everything the home page shows, read under the lock."""
    with sim.lock:
        accounts = sorted(sim.db.accounts.values(), key=lambda account: account.id)
        inboxes = sorted(sim.db.inboxes.values(), key=lambda inbox: inbox.id)
        users = sorted((u for u in sim.db.users.values() if u.is_admin), key=lambda user: user.id)
        hooks = sorted(sim.db.webhooks.values(), key=lambda hook: hook.id)
        contacts = sorted(sim.db.contacts.values(), key=lambda c: c.id)
        conversations = sorted(sim.db.conversations.values(), key=lambda c: c.last_activity_at, reverse=True)
        whatsapp = [inbox for inbox in inboxes if inbox.channel_type == WHATSAPP]
        return {"accounts": accounts, "inboxes": inboxes, "whatsapp": whatsapp, "admins": users,
                "webhooks": hooks, "contacts": contacts,
                "conversations": [_conversation_row(sim, c) for c in conversations],
                "deliveries": [{**vars(d), "at": iso_ms(d.at)} for d in sim.deliveries[-DELIVERIES_SHOWN:][::-1]]}


def _conversation_row(sim: ChatwootSimulator, conversation: Conversation) -> dict[str, Any]:
    contact: Contact | None = sim.db.contacts.get(conversation.contact_id)
    last = sim.last_chat_message(conversation)
    inbox = sim.db.inboxes[conversation.inbox_id]
    return {"account_id": conversation.account_id, "id": conversation.display_id, "status": conversation.status,
            "inbox": inbox.name, "inbox_id": inbox.id, "whatsapp": inbox.channel_type == WHATSAPP, "contact": contact,
            "last": last.content if last else None, "at": iso_ms(conversation.last_activity_at)}


def _message_row(sim: ChatwootSimulator, message: Message) -> dict[str, Any]:
    sender = None
    if message.sender_type == "Contact":
        found = sim.db.contacts.get(message.sender_id)
        sender = found.name if found else None
    elif message.sender_type in ("User", "AgentBot"):
        user = sim.user_by_id(message.sender_id)
        sender = user.name if user else None
    return {"id": message.id, "type": MESSAGE_TYPE_NAMES[message.message_type], "private": message.private,
            "content": message.content, "status": message.status, "sender": sender,
            "error": message.content_attributes.get("external_error"), "at": iso_ms(message.created_at)}
