"""Test message: pick a client (search as you type) or a phone, write or pick a text, preview, send."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.services.clients.search import search_clients
from app.services.notifications.templates import TemplateError
from app.services.notifications.test_message import compose, queue_test, send_status, tenant_client
from app.transactions import unit_of_work
from app.web.messages.forms import TestMessageForm
from app.web.tenant_bp import is_htmx, tenant_blueprint

bp = tenant_blueprint("messages", __name__, "/test-message")


def _page(form: TestMessageForm, status: int = 200, **extra):
    query = request.values.get("q", "").strip()
    chosen = tenant_client(g.tenant, form.client_id.data)
    results = search_clients(g.tenant.id, query) if query else []
    return render_template("messages/page.html", form=form, query=query, results=results, chosen=chosen,
                           **extra), status


@bp.get("/")
def test_form():
    return _page(TestMessageForm(formdata=None, data={"client_id": request.args.get("client_id", "")}))


@bp.get("/clients")
def client_search():
    query = request.args.get("q", "").strip()
    results = search_clients(g.tenant.id, query) if query else []
    if is_htmx():
        return render_template("messages/_client_results.html", query=query, results=results, chosen=None)
    return _page(TestMessageForm(formdata=None))


def _composed(form: TestMessageForm) -> tuple[str | None, list[str] | None]:
    client = tenant_client(g.tenant, form.client_id.data)
    try:
        return compose(g.tenant, client, form.template.data, form.message.data), None
    except TemplateError as exc:
        return None, exc.missing


@bp.post("/preview")
def preview():
    form = TestMessageForm()
    text, missing = _composed(form)
    preview_result = {"text": text, "missing": missing}
    if is_htmx():
        return render_template("messages/_preview.html", preview=preview_result)
    return _page(form, preview=preview_result)


@bp.post("/send")
def send():
    form = TestMessageForm()
    if not form.validate():
        return _page(form, 422)
    text, missing = _composed(form)
    if missing:
        return _page(form, 422, preview={"text": None, "missing": missing})
    client = tenant_client(g.tenant, form.client_id.data)
    if form.client_id.data and client is None:
        abort(404)
    with unit_of_work() as work:  # stored and queued; the worker talks to Chatwoot, the page polls the row
        row = queue_test(g.tenant, current_user, client, form.phone.data, text)
    if work.error:
        return _page(form, 503, busy=_("La base de datos está ocupada; no se guardó el mensaje. Intenta de nuevo."))
    return redirect(url_for("messages.sent", notification_id=row.id), 303)  # a reload never sends it twice


@bp.get("/sent/<notification_id>")
def sent(notification_id: str):
    """How a queued test message is doing; the partial polls itself while it is pending."""
    status = send_status(g.tenant, notification_id)
    if status is None:
        abort(404)
    if is_htmx():
        return render_template("messages/_sent.html", sent=status)
    form = TestMessageForm(formdata=None, data={"client_id": status.notification.client_id or "",
                                                "phone": status.notification.to_phone or ""})
    return _page(form, sent=status)
