"""Clients linked to a Chatwoot contact: list, open in Chatwoot, unlink."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.models import Client
from app.services.contacts.unlinking import unlink
from app.tenancy import get_scoped_or_404
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
    outcome = unlink(client, current_user, force=request.form.get("force") == "1")
    db.session.commit()
    if not outcome.unlinked:
        return render_template("contacts/unlink_failed.html", client=client, error=outcome.error), 409
    if outcome.error:
        flash(_("%(name)s quedó desvinculado, pero sus atributos siguen en el contacto %(contact)s de Chatwoot: "
                "bórralos allí a mano.", name=client.full_name, contact=contact_id), "error")
    else:
        flash(_("%(name)s quedó desvinculado del contacto %(contact)s.", name=client.full_name, contact=contact_id),
              "success")
    return redirect(url_for("contacts.linked"))
