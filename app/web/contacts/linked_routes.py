"""Clients linked to a Chatwoot contact: list, open in Chatwoot, unlink; the worker's part, polled."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.models import Client, ContactTask, ContactTaskStatus
from app.services.contacts.tasks import retry_task
from app.services.contacts.unlinking import unlink
from app.tenancy import get_scoped_or_404
from app.transactions import unit_of_work
from app.web.contacts import bp
from app.web.contacts.queries import linked_clients
from app.web.tenant_bp import is_htmx


@bp.get("/")
def linked():
    view = linked_clients(g.tenant, request.args.get("before"))
    template = "contacts/_linked.html" if is_htmx() else "contacts/linked.html"
    return render_template(template, view=view)


@bp.post("/<client_id>/unlink")
def unlink_contact(client_id: str):
    client = get_scoped_or_404(Client, client_id)
    if not client.chatwoot_contact_id:
        flash(_("Ese cliente ya no estaba vinculado."), "success")
        return redirect(url_for("contacts.linked"))
    contact_id = client.chatwoot_contact_id
    with unit_of_work() as work:
        task = unlink(client, current_user)
    if work.error:
        flash(_("No se pudo desvincular: la base de datos está ocupada; intenta de nuevo."), "error")
        return redirect(url_for("contacts.linked"))
    flash(_("%(name)s quedó desvinculado del contacto #%(contact)s.", name=client.full_name, contact=contact_id),
          "success")
    return redirect(url_for("contacts.task", task_id=task.id))


@bp.get("/tasks/<task_id>")
def task(task_id: str):
    """The Chatwoot side of a link, unlink or move: the partial polls itself while the worker is on it."""
    row = get_scoped_or_404(ContactTask, task_id)
    client = get_scoped_or_404(Client, row.client_id) if row.client_id else None
    template = "contacts/_task.html" if is_htmx() else "contacts/task.html"
    return render_template(template, task=row, client=client)


@bp.post("/tasks/<task_id>/retry")
def retry(task_id: str):
    row = get_scoped_or_404(ContactTask, task_id)
    if row.status == ContactTaskStatus.FAILED:
        with unit_of_work():
            retry_task(row)
    return redirect(url_for("contacts.task", task_id=row.id))
