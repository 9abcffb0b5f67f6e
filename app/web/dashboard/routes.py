"""Home (tenant picker), tenant switch and the tenant overview."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.extensions import db
from app.services.settings.overview import tenant_overview
from app.tenancy import tenant_for_user_or_404, tenants_for
from app.web.tenant_bp import tenant_blueprint

bp = Blueprint("dashboard", __name__)
tenant_bp = tenant_blueprint("overview", __name__)

# The screens the overview cards link to; a card shows its link once that screen exists.
CARD_LINKS = ("settings.show", "webhooks.index", "contacts.unmatched", "contacts.linked", "sync.index",
              "notifications.index")


@bp.get("/")
@login_required
def home():
    tenants = db.session.scalars(tenants_for(current_user)).all()
    if len(tenants) == 1:
        return redirect(url_for("overview.show", tenant_slug=tenants[0].slug))
    return render_template("dashboard/home.html", tenants=tenants)


@bp.get("/switch")
@login_required
def switch_tenant():
    tenant = tenant_for_user_or_404(current_user, request.args.get("tenant", ""))
    return redirect(url_for("overview.show", tenant_slug=tenant.slug))


@tenant_bp.get("/")
def show():
    links = {endpoint: endpoint in current_app.view_functions for endpoint in CARD_LINKS}
    return render_template("dashboard/overview.html", overview=tenant_overview(g.tenant), links=links)
