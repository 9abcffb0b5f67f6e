"""Administration (administrators only; a 404 for everyone else): tenants, users, the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.extensions import db
from app.models import Tenant, User
from app.services.accounts.tenants import TenantError, create_tenant, create_user, set_active
from app.transactions import unit_of_work
from app.web.admin.forms import TenantForm, UserForm
from app.web.admin.queries import all_tenants, all_users, audit_page, names_for
from app.web.refusals import flash_refusal, refusal, refusal_status
from app.web.tenant_bp import is_htmx

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    if not current_user.is_admin:
        abort(404)


def _user_form(bound: bool = False) -> UserForm:
    form = UserForm() if bound else UserForm(formdata=None)
    form.tenants.choices = [SelectChoice(t.id, t.name) for t in all_tenants()]
    return form


def _index(status: int = 200, tenant_form: TenantForm | None = None, user_form: UserForm | None = None):
    return render_template("admin/index.html", tenants=all_tenants(), users=all_users(),
                           tenant_form=tenant_form or TenantForm(formdata=None),
                           user_form=user_form or _user_form()), status


@bp.get("/")
def index():
    return _index()


@bp.post("/tenants")
def create_tenant_view():
    form = TenantForm()
    if not form.validate():
        return _index(422, tenant_form=form)
    with unit_of_work(TenantError) as work:
        tenant = create_tenant(form.name.data, slug=form.slug.data or None, timezone=form.timezone.data.strip(),
                               region=form.region.data, by=current_user)
    if work.error:
        form.form_errors.append(refusal(work.error, _("No se pudo crear el salón: %(error)s", error=work.error)))
        return _index(refusal_status(work.error), tenant_form=form)
    flash(_("Salón «%(name)s» creado.", name=tenant.name), "success")
    return redirect(url_for("admin.index", _anchor="salones"))


@bp.post("/users")
def create_user_view():
    form = _user_form(bound=True)
    if not form.validate():
        return _index(422, user_form=form)
    with unit_of_work(TenantError) as work:
        tenants = [db.session.get(Tenant, tenant_id) for tenant_id in form.tenants.data]
        user = create_user(form.email.data, form.password.data, role=form.role.data, tenants=[t for t in tenants if t],
                           by=current_user)
    if work.error:
        form.form_errors.append(refusal(work.error, _("No se pudo crear el usuario: %(error)s", error=work.error)))
        return _index(refusal_status(work.error), user_form=form)
    flash(_("Usuario %(email)s creado.", email=user.email), "success")
    return redirect(url_for("admin.index", _anchor="usuarios"))


@bp.post("/users/<user_id>/active")
def set_user_active(user_id: str):
    user = db.session.get(User, user_id) or abort(404)
    active = request.form.get("active") == "1"
    with unit_of_work(TenantError) as work:
        set_active(user, active, by=current_user)
    if work.error:
        flash_refusal(work.error, _("No puedes desactivar tu propia cuenta."))
    else:
        flash(_("%(email)s puede entrar de nuevo.", email=user.email) if active
              else _("%(email)s ya no puede entrar.", email=user.email), "success")
    return redirect(url_for("admin.index", _anchor="usuarios"))


@bp.get("/audit")
def audit_log():
    tenant_id = request.args.get("tenant") or None
    page = audit_page(tenant_id, request.args.get("before"))
    tenants, users = names_for(page)
    template = "admin/_audit.html" if is_htmx() and request.headers.get("HX-Target") == "audit-log" \
        else "admin/audit.html"
    return render_template(template, page=page, tenant_names=tenants, user_emails=users,
                           all_tenants=all_tenants(), tenant_id=tenant_id)
