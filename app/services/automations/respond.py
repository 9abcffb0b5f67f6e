"""What an incoming customer message triggers: an opt-out keyword, an answer to a request, or the closed sign."""

from __future__ import annotations

from datetime import datetime

from app.models import Client, Tenant
from app.services.automations.callback import queue_callback
from app.services.automations.confirm import TEXT_FOR, pending_appointment, wanted_status
from app.services.automations.hours import has_schedule, is_open, next_opening
from app.services.automations.optout import apply_opt_out, keyword_change
from app.services.automations.render import reply_text
from app.services.automations.replies import queue_reply
from app.services.automations.settings import automation_settings
from app.services.automations.text import normalize
from app.services.contacts.interactions import log_interaction


def answer_customer(tenant: Tenant, client: Client | None, *, conversation_id: str | None, message_id: str | None,
                    content: str | None, at: datetime) -> None:
    """Run the tenant's automations for one incoming message (the caller logged it; the caller commits)."""
    if conversation_id is None or message_id is None:
        return
    settings = automation_settings(tenant.id)
    words = normalize(content)
    if client is not None and settings.optout_enabled and _opt_out(tenant, client, words, conversation_id,
                                                                    message_id):
        return
    if client is not None and settings.confirm_enabled and _answer_request(tenant, client, words, conversation_id,
                                                                            message_id, at):
        return
    if settings.out_of_hours_enabled and has_schedule(settings.schedule):
        _closed_sign(tenant, client, conversation_id, at)


def _opt_out(tenant: Tenant, client: Client, words: str, conversation_id: str, message_id: str) -> bool:
    opt_out = keyword_change(words)
    if opt_out is None:
        return False
    field = apply_opt_out(client, opt_out)
    log_interaction(tenant.id, "marketing_opt_out" if opt_out else "marketing_opt_in", client_id=client.id,
                    conversation_id=conversation_id, message_id=None, content=words.upper())
    queue_reply(tenant.id, "optout", f"message:{message_id}", conversation_id,
                reply_text(tenant, field, client), client)
    return True


def _answer_request(tenant: Tenant, client: Client, words: str, conversation_id: str, message_id: str,
                    at: datetime) -> bool:
    status = wanted_status(words)
    if status is None:
        return False
    appointment = pending_appointment(client, at)
    if appointment is None:
        return False  # nothing was asked: the agents answer
    if appointment.status != status:
        appointment.status = status
        queue_callback(tenant.id, appointment)
    log_interaction(tenant.id, f"appointment_{status}", client_id=client.id, conversation_id=conversation_id,
                    content=f"{appointment.id}: {status}", status=str(status))
    queue_reply(tenant.id, "confirm", f"message:{message_id}", conversation_id,
                reply_text(tenant, TEXT_FOR[status], client, appointment), client, appointment.id)
    return True


def _closed_sign(tenant: Tenant, client: Client | None, conversation_id: str, at: datetime) -> None:
    """At most once per conversation per closed period: the period is named by the opening that ends it."""
    settings = automation_settings(tenant.id)
    if is_open(at, tenant.timezone, settings.schedule, settings.closed_dates):
        return
    opening = next_opening(at, tenant.timezone, settings.schedule, settings.closed_dates)
    period = opening.isoformat() if opening else "never"
    queue_reply(tenant.id, "out_of_hours", f"{conversation_id}:{period}", conversation_id,
                reply_text(tenant, "out_of_hours_text", client, opening=opening), client)
