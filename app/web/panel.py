"""The Dashboard App panel inside Chatwoot (INTERFACES §9): no session, a token in the URL names the tenant.

The page is a shell with our own script; the script asks Chatwoot (its parent) for the conversation context
and loads the fragment about that contact. Only the tenant's Chatwoot origin may frame either.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request

from app.extensions import db
from app.security import framed_only_by
from app.services.agents.panel import chatwoot_origin, panel_view, tenant_for_panel

bp = Blueprint("panel", __name__, url_prefix="/chatwoot/app")


def _framed(tenant, html: str):
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token must not leave in a Referer
    return framed_only_by(response, chatwoot_origin(tenant.id))


@bp.get("/<token>")
def shell(token: str):
    tenant = tenant_for_panel(token) or abort(404)
    html = render_template("panel/shell.html", tenant=tenant, origin=chatwoot_origin(tenant.id), token=token)
    db.session.rollback()  # read-only
    return _framed(tenant, html)


@bp.get("/<token>/contact")
def contact(token: str):
    tenant = tenant_for_panel(token) or abort(404)
    view = panel_view(tenant, request.args.get("account_id"), request.args.get("contact_id"),
                      request.args.get("phone"))
    html = render_template("panel/contact.html", view=view, tenant=tenant)
    db.session.rollback()  # read-only
    return _framed(tenant, html)
