"""Interaction log pages: the whole log with filters, and one client's timeline."""

from __future__ import annotations

from flask import g, render_template, request

from app.models import Client
from app.tenancy import get_scoped_or_404
from app.web.contacts.queries import chatwoot_app_base
from app.web.interactions.forms import InteractionFilterForm
from app.web.interactions.queries import InteractionFilters, clients_by_id, interactions_page
from app.web.tenant_bp import is_htmx, tenant_blueprint

bp = tenant_blueprint("interactions", __name__, "/interactions")


@bp.get("/")
def index():
    form = InteractionFilterForm(request.args)
    valid = form.validate()
    client = get_scoped_or_404(Client, form.client.data) if form.client.data else None
    return _render(form, client, _filters(form) if valid else InteractionFilters(client_id=client and client.id),
                   200 if valid else 422)


@bp.get("/client/<client_id>")
def client_timeline(client_id: str):
    client = get_scoped_or_404(Client, client_id)
    form = InteractionFilterForm(request.args)
    form.client.data = client.id
    valid = form.validate()
    return _render(form, client, _filters(form) if valid else InteractionFilters(client_id=client.id),
                   200 if valid else 422)


def _filters(form: InteractionFilterForm) -> InteractionFilters:
    matched = {"yes": True, "no": False}.get(form.matched.data or "")
    return InteractionFilters(direction=form.direction.data or None, event=(form.event.data or "").strip() or None,
                              client_id=form.client.data or None, matched=matched,
                              since=form.since.data, until=form.until.data)


def _render(form: InteractionFilterForm, client: Client | None, filters: InteractionFilters, status: int):
    page = interactions_page(g.tenant, filters, request.args.get("before"))
    context = {"form": form, "client": client, "page": page, "clients": clients_by_id(g.tenant, page.items),
               "chatwoot_base": chatwoot_app_base(g.tenant.id)}
    template = "interactions/_list.html" if is_htmx() else "interactions/index.html"
    return render_template(template, **context), status
