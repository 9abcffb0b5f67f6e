"""The simulator's own control surface (no Chatwoot has it): a customer writes on WhatsApp.

JSON for `flask chatwoot simulator incoming` (authenticated with an administrator token of the account), and
the form of the simulator's home page. Chatwoot's public API keeps refusing incoming messages outside API inboxes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, url_for

from .errors import NOT_AUTHORIZED, unauthorized, unprocessable
from .formats import ruby_int
from .inbound import Inbound, InboundError
from .pages import home_data
from .web import account_context, current_sim, request_params
from .webhooks import WebhookDelivery

control_routes = Blueprint("sim_control", __name__)
INCOMING_PATH = "/simulator/api/v1/accounts/<account_id>/incoming_messages"


@control_routes.post(INCOMING_PATH)
def incoming_json(account_id: str) -> tuple[dict[str, Any], int]:
    """`{phone, text, name?, inbox_id?}` → where the message landed and every webhook delivery it made."""
    sim = current_sim()
    with sim.lock:
        ctx = account_context(sim, account_id, allow_bots=False)
        if not ctx.user.is_admin:
            raise unauthorized(NOT_AUTHORIZED)
    params = request_params()
    try:
        landed, deliveries = sim.customer_writes(ctx.account.id, str(params.get("phone") or ""),
                                                 str(params.get("text") or ""), params.get("name"),
                                                 ruby_int(params.get("inbox_id")))
    except InboundError as error:
        raise unprocessable(str(error)) from error
    return {**vars(landed), "deliveries": [delivery_json(d) for d in deliveries]}, 201


def delivery_json(delivery: WebhookDelivery) -> dict[str, Any]:
    """A delivery as the CLI reports it (never the signing headers)."""
    return {"url": delivery.url, "event": delivery.event, "status": delivery.status, "error": delivery.error}


@control_routes.post("/simulator/incoming")
def incoming_form() -> Any:
    """The home page's form; then the conversation page. Cross-site posts are refused."""
    _same_origin_only()
    sim = current_sim()
    form = request.form
    try:
        landed: Inbound = sim.customer_writes(ruby_int(form.get("account_id")) or 1, form.get("phone", ""),
                                              form.get("text", ""), form.get("name"),
                                              ruby_int(form.get("inbox_id")))[0]
    except InboundError as error:
        return render_template("simulator/home.html", **home_data(sim), error=str(error), form=form), 422
    return redirect(url_for("sim_pages.conversation", account_id=landed.account_id,
                            display_id=landed.conversation_id), code=303)


def _same_origin_only() -> None:
    """The form has no session to protect, but another site must not make customers write."""
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        abort(403)

