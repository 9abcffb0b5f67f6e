"""Sync: start a run, watch its progress bar, cancel it, read the history of runs."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.chatwoot.errors import ChatwootError
from app.models import SyncRun, SyncStatus
from app.services.sync.runs import SyncError, active_run, cancel_sync, start_sync
from app.tenancy import get_scoped_or_404
from app.transactions import unit_of_work
from app.web.refusals import flash_refusal
from app.web.sync.progress import history, latest, progress, starters
from app.web.tenant_bp import is_htmx, tenant_blueprint

bp = tenant_blueprint("sync", __name__, "/sync")


@bp.get("/")
def index():
    page = history(g.tenant, request.args.get("before"))
    if is_htmx() and request.headers.get("HX-Target") == "sync-history":
        return render_template("sync/_history.html", page=page, starters=starters(page.items))
    current = latest(g.tenant)
    return render_template("sync/page.html", page=page, starters=starters(page.items),
                           current=progress(current) if current else None)


@bp.post("/start")
def start():
    if active_run(g.tenant.id) is not None:  # a second start shows the running one (the page renders it)
        flash(_("Ya hay una sincronización en curso; este es su avance."), "info")
        return redirect(url_for("sync.index"))
    with unit_of_work(ChatwootError, SyncError) as work:
        start_sync(g.tenant.id, current_user)
    if work.error:
        flash_refusal(work.error, _("No se pudo iniciar la sincronización: %(error)s",
                                    error=getattr(work.error, "message", str(work.error))))
    return redirect(url_for("sync.index"))


@bp.get("/<run_id>/progress")
def run_progress(run_id: str):
    run = get_scoped_or_404(SyncRun, run_id)
    if is_htmx():
        return render_template("sync/_progress.html", p=progress(run))
    page = history(g.tenant, None)
    return render_template("sync/page.html", page=page, starters=starters(page.items), current=progress(run))


@bp.post("/<run_id>/cancel")
def cancel(run_id: str):
    run = get_scoped_or_404(SyncRun, run_id)
    with unit_of_work() as work:
        cancel_sync(run, current_user)
    if work.error:
        flash_refusal(work.error)
    elif run.status == SyncStatus.CANCELLED:
        flash(_("Sincronización cancelada."), "success")
    else:
        flash(_("Se pidió cancelar la sincronización; se detiene al terminar el lote en curso."), "success")
    return redirect(url_for("sync.index"))
