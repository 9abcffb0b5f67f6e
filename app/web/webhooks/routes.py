"""Webhook events page: recent deliveries, one delivery's raw body, replay."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.models import WebhookEvent
from app.services.webhooks.replay import ReplayError, replay_event
from app.tenancy import get_scoped_or_404
from app.transactions import unit_of_work
from app.web.refusals import flash_refusal
from app.web.tenant_bp import is_htmx, tenant_blueprint
from app.web.webhooks.queries import STATUSES, events_page, pretty_body, webhook_url

bp = tenant_blueprint("webhooks", __name__, "/webhooks")


@bp.get("/")
def index():
    status = request.args.get("status") or None
    page = events_page(g.tenant, status, request.args.get("before"))
    template = "webhooks/_list.html" if is_htmx() else "webhooks/index.html"
    return render_template(template, page=page, status=status, statuses=STATUSES, webhook_url=webhook_url())


@bp.get("/<event_id>")
def show(event_id: str):
    event = get_scoped_or_404(WebhookEvent, event_id)
    return render_template("webhooks/show.html", event=event, body=pretty_body(event.raw_body))


@bp.post("/<event_id>/replay")
def replay(event_id: str):
    event = get_scoped_or_404(WebhookEvent, event_id)
    with unit_of_work(ReplayError) as work:
        replay_event(g.tenant.id, event.id)
    if work.error:
        # Not-found is answered by the 404 above, so the one refusal left is an event being processed now.
        flash_refusal(work.error, _("No se pudo reprocesar: el evento se está procesando en este momento. Intenta "
                                    "de nuevo en unos minutos (%(detail)s).", detail=str(work.error)))
    else:
        flash(_("Evento puesto de nuevo en la cola; su estado se actualizará al procesarse."), "success")
    return redirect(url_for("webhooks.show", event_id=event.id))
