"""Configuración → Automatizaciones: switches, texts with live preview, schedule, holidays, booking callback."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.booking.callback import CallbackDestinationRefused
from app.extensions import db
from app.models import AutomationReply, CallbackDelivery, utcnow
from app.services.automations.hours import format_ranges, parse_dates
from app.services.automations.render import preview_text
from app.services.automations.settings import (
    SWITCHES,
    TEXT_FIELDS,
    automation_settings,
    load_public_holidays,
    save_automation_settings,
    text_of,
)
from app.services.notifications.templates import TemplateError
from app.transactions import discard, unit_of_work
from app.web.refusals import flash_refusal, refusal_status
from app.web.settings import bp
from app.web.settings.automation_forms import DAYS, AutomationsForm
from app.web.tenant_bp import is_htmx

LOG_ROWS = 50


def _form_data() -> dict:
    row = automation_settings(g.tenant.id)
    data = {name: getattr(row, name) for name in SWITCHES} | {name: text_of(row, name) for name in TEXT_FIELDS}
    data |= {f"day_{day}": format_ranges((row.schedule or {}).get(str(day))) for day in range(7)}
    return data | {"closed_dates": "\n".join(row.closed_dates or []), "callback_url": row.callback_url}


def _page(form: AutomationsForm, status: int = 200):
    row = automation_settings(g.tenant.id)
    deliveries = db.session.scalars(select(CallbackDelivery).where(CallbackDelivery.tenant_id == g.tenant.id)
                                    .order_by(CallbackDelivery.created_at.desc()).limit(LOG_ROWS)).all()
    replies = db.session.scalars(select(AutomationReply).where(AutomationReply.tenant_id == g.tenant.id)
                                 .order_by(AutomationReply.created_at.desc()).limit(LOG_ROWS)).all()
    html = render_template("settings/automations.html", form=form, days=DAYS, texts=TEXT_FIELDS,
                           secret_set=bool(row.callback_secret), deliveries=deliveries, replies=replies,
                           previews={name: _preview(name, form[name].data) for name in TEXT_FIELDS})
    discard()  # showing the defaults of a tenant without a row stores nothing
    return html, status


def _preview(field: str, body: str | None) -> dict:
    try:
        return {"field": field, "text": preview_text(g.tenant, field, body), "error": None}
    except TemplateError as exc:
        return {"field": field, "text": None, "error": exc.missing}


def _back(anchor: str, message: str):
    flash(message, "success")
    return redirect(url_for("settings.automations", _anchor=anchor))


@bp.get("/automations")
def automations():
    return _page(AutomationsForm(formdata=None, data=_form_data()))


@bp.post("/automations")
def save_automations():
    form = AutomationsForm()
    if not form.validate():
        return _page(form, 422)
    with unit_of_work(CallbackDestinationRefused) as work:
        save_automation_settings(
            g.tenant, current_user, switches={name: form[name].data for name in SWITCHES},
            texts={name: form[name].data for name in TEXT_FIELDS}, schedule=form.schedule(),
            closed_dates=parse_dates(form.closed_dates.data), callback_url=form.callback_url.data,
            callback_secret=form.callback_secret.data)
    if isinstance(work.error, CallbackDestinationRefused):
        form.callback_url.errors = [_("Esa dirección lleva a una red privada o local, o no se puede resolver; "
                                      "este servidor no envía llamadas allí. Usa la dirección pública de tu "
                                      "sistema de reservas.")]
        return _page(form, 422)
    if work.error:
        flash_refusal(work.error)
        return _page(form, refusal_status(work.error))
    return _back("automatizaciones", _("Cambios guardados."))


@bp.post("/automations/preview/<field>")
def automation_preview(field: str):
    if field not in TEXT_FIELDS:
        return _("Texto desconocido."), 404
    result = _preview(field, request.form.get(field))
    discard()
    if is_htmx():
        return render_template("settings/_automation_preview.html", preview=result)
    return _page(AutomationsForm())


@bp.post("/automations/holidays")
def automation_holidays():
    year = utcnow().year
    with unit_of_work() as work:
        added = load_public_holidays(g.tenant.id, "MX", year) + load_public_holidays(g.tenant.id, "MX", year + 1)
    if work.error:
        flash_refusal(work.error)
        return redirect(url_for("settings.automations", _anchor="horario"))
    return _back("horario", _("Se agregaron %(count)s días festivos oficiales de México.", count=len(added)))
