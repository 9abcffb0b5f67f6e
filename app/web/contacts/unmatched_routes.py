"""The unmatched-contact queue: link to a client found by search, create a client, dismiss."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.chatwoot.errors import ChatwootConfigError, ChatwootError
from app.models import Client, UnmatchedContact, UnmatchedStatus
from app.services.clients.records import RecordError
from app.services.clients.search import search_clients
from app.services.contacts import unmatched as unmatched_service
from app.services.contacts.unmatched import LinkOutcome, MoveNeedsConfirmation
from app.tenancy import get_scoped_or_404
from app.transactions import DatabaseBusy, unit_of_work
from app.web.contacts import bp
from app.web.contacts.forms import CLIENT_FIELDS, CreateClientForm
from app.web.contacts.queries import unmatched_contacts
from app.web.tenant_bp import is_htmx

FAILURES = (ChatwootError, RecordError, unmatched_service.UnmatchedError)


@bp.get("/unmatched")
def unmatched():
    view = unmatched_contacts(g.tenant, request.args.get("status", UnmatchedStatus.WAITING), request.args.get("before"))
    template = "contacts/_unmatched.html" if is_htmx() else "contacts/unmatched.html"
    return render_template(template, view=view)


@bp.get("/unmatched/<unmatched_id>/link")
def link_form(unmatched_id: str):
    contact = get_scoped_or_404(UnmatchedContact, unmatched_id)
    query = request.args.get("q", "").strip()
    results = search_clients(g.tenant.id, query) if query else []
    template = "contacts/_search_results.html" if is_htmx() else "contacts/link.html"
    return render_template(template, contact=contact, query=query, results=results)


@bp.post("/unmatched/<unmatched_id>/link")
def link(unmatched_id: str):
    contact = get_scoped_or_404(UnmatchedContact, unmatched_id)
    client = get_scoped_or_404(Client, request.form.get("client_id", ""))
    with unit_of_work(*FAILURES) as work:
        outcome = unmatched_service.link_unmatched(g.tenant, contact.id, client.id, current_user,
                                                   confirm_move=request.form.get("confirm_move") == "1")
    if isinstance(work.error, MoveNeedsConfirmation):
        return render_template("contacts/confirm_move.html", contact=contact, client=client,
                               owner=work.error.previous_owner), 409
    if work.error:
        flash(_("No se pudo vincular: %(why)s", why=explain(work.error)), "error")
        return redirect(url_for("contacts.link_form", unmatched_id=contact.id))
    flash(link_message(outcome), "success")
    return redirect(url_for("contacts.task", task_id=outcome.task.id))


def link_message(outcome: LinkOutcome) -> str:
    """What the link changed, moves included (INTERFACES §7: a moved link says so)."""
    parts = [_("Contacto #%(contact)s vinculado con %(name)s.", contact=outcome.task.push_contact_id,
               name=outcome.client.full_name)]
    if outcome.left_contact_id:
        parts.append(_("%(name)s ya no está vinculado al contacto #%(old)s; borramos nuestros atributos de ese "
                       "contacto.", name=outcome.client.full_name, old=outcome.left_contact_id))
    if outcome.previous_owner is not None:
        parts.append(_("%(owner)s quedó sin vincular.", owner=outcome.previous_owner.full_name))
    return " ".join(parts)


@bp.route("/unmatched/<unmatched_id>/create", methods=["GET", "POST"])
def create_client(unmatched_id: str):
    contact = get_scoped_or_404(UnmatchedContact, unmatched_id)
    form = CreateClientForm(data=_prefill(contact))
    if form.validate_on_submit():
        with unit_of_work(*FAILURES) as work:
            outcome = unmatched_service.create_client_from_unmatched(
                g.tenant, contact.id, {name: form[name].data for name in CLIENT_FIELDS}, current_user)
        if work.ok:
            # Not "created and linked": the attribute push is the worker's, and the task page says how it went.
            flash(_("Cliente %(name)s creado.", name=outcome.client.full_name), "success")
            return redirect(url_for("contacts.task", task_id=outcome.task.id))
        _attach_error(form, work.error)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("contacts/create.html", contact=contact, form=form), status


@bp.post("/unmatched/<unmatched_id>/dismiss")
def dismiss(unmatched_id: str):
    contact = get_scoped_or_404(UnmatchedContact, unmatched_id)
    with unit_of_work(*FAILURES) as work:
        unmatched_service.dismiss_unmatched(g.tenant, contact.id, current_user)
    if work.error:
        flash(_("No se pudo descartar: %(why)s", why=explain(work.error)), "error")
    else:
        flash(_("Contacto descartado."), "success")
    return redirect(url_for("contacts.unmatched"))


def explain(exc: Exception) -> str:
    """A Spanish reason for a refused queue action, with the technical detail after it."""
    detail = exc.message if isinstance(exc, ChatwootError | DatabaseBusy) else str(exc)
    if isinstance(exc, DatabaseBusy):
        return _("la base de datos está ocupada; intenta de nuevo en unos segundos (%(detail)s).", detail=detail)
    if isinstance(exc, ChatwootConfigError):
        return _("Chatwoot no está configurado para este salón; revisa Configuración (%(detail)s).", detail=detail)
    if isinstance(exc, ChatwootError):
        return _("Chatwoot no respondió como se esperaba (%(detail)s).", detail=detail)
    if isinstance(exc, unmatched_service.UnmatchedError):
        return _("el contacto ya no está en espera o el dato no es válido (%(detail)s).", detail=detail)
    return detail


def _prefill(contact: UnmatchedContact) -> dict:
    first, _sep, last = (contact.name or "").strip().partition(" ")
    return {"first_name": first, "last_name": last.strip(), "phone": contact.phone or "", "email": contact.email}


def _attach_error(form: CreateClientForm, exc: Exception) -> None:
    field = getattr(exc, "field", None)
    if field in CLIENT_FIELDS:
        form[field].errors = [*form[field].errors, _("No se pudo guardar: %(why)s", why=explain(exc))]
    else:
        form.form_errors.append(explain(exc))
