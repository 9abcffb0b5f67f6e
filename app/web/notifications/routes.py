"""Notifications page: what was sent to whom, its delivery status, and retrying a failed one."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.models import Notification
from app.services.notification_service import NotificationError, notification_service
from app.tenancy import get_scoped_or_404
from app.transactions import unit_of_work
from app.web.contacts.queries import chatwoot_app_base
from app.web.notifications.queries import STATUSES, TYPES, notifications_page
from app.web.refusals import flash_refusal
from app.web.tenant_bp import is_htmx, tenant_blueprint

bp = tenant_blueprint("notifications", __name__, "/notifications")


@bp.get("/")
def index():
    type_, status = request.args.get("type") or None, request.args.get("status") or None
    page = notifications_page(g.tenant, type_, status, request.args.get("before"))
    template = "notifications/_list.html" if is_htmx() else "notifications/index.html"
    return render_template(template, page=page, type_=type_, status=status, types=TYPES, statuses=STATUSES,
                           chatwoot_base=chatwoot_app_base(g.tenant.id))


@bp.post("/<notification_id>/retry")
def retry(notification_id: str):
    notification = get_scoped_or_404(Notification, notification_id)
    back = url_for("notifications.index", type=request.form.get("type") or None,
                   status=request.form.get("status") or None)
    with unit_of_work(NotificationError) as work:
        notification_service.retry(notification.id, g.tenant.id)
    if work.error:
        flash_refusal(work.error, _("Solo se reintentan las notificaciones fallidas; esta ya no lo está."))
    else:
        flash(_("Notificación puesta de nuevo en la cola de envío."), "success")
    return redirect(back)
