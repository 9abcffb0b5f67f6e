"""The Dashboard App panel inside Chatwoot (INTERFACES §9): no session, a token in the URL names the tenant.

The page is a shell with our own script; the script asks Chatwoot (its parent) for the conversation context
and loads the fragment about that contact. Only the tenant's Chatwoot origin may frame either.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request

from app.extensions import csrf
from app.security import framed_only_by
from app.services.agents.panel import chatwoot_origin, link_from_action, panel_view, tenant_for_panel
from app.transactions import discard, unit_of_work

bp = Blueprint("panel", __name__, url_prefix="/chatwoot/app")
csrf.exempt(bp)  # no session to ride on: the one POST carries its own signed, single-purpose token


def _framed(tenant, html: str):
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token must not leave in a Referer
    return framed_only_by(response, chatwoot_origin(tenant.id))


@bp.get("/<token>")
def shell(token: str):
    tenant = tenant_for_panel(token) or abort(404)
    html = render_template("panel/shell.html", tenant=tenant, origin=chatwoot_origin(tenant.id), token=token)
    discard()  # read-only
    return _framed(tenant, html)


@bp.get("/<token>/contact")
def contact(token: str):
    tenant = tenant_for_panel(token) or abort(404)
    view = panel_view(tenant, request.args.get("account_id"), request.args.get("contact_id"),
                      request.args.get("phone"))
    html = render_template("panel/contact.html", view=view, tenant=tenant)
    discard()  # read-only
    return _framed(tenant, html)


@bp.post("/<token>/link")
def link(token: str):
    """One click: link the likely client to the contact (the signed action token says which)."""
    tenant = tenant_for_panel(token) or abort(404)
    with unit_of_work() as work:
        client = link_from_action(tenant, request.form.get("link_token", ""))
    if work.error:
        abort(503)  # the database stayed busy: nothing was linked, the agent may click again
    if client is None:
        abort(400)
    account_id, contact_id = request.form.get("account_id"), client.chatwoot_contact_id
    html = render_template("panel/contact.html", view=panel_view(tenant, account_id, contact_id, None),
                           tenant=tenant)
    discard()  # read-only
    return _framed(tenant, html)
