"""The analytics page (7 / 30 / 90 days in the salon's time zone) and the same figures per day as CSV."""

from __future__ import annotations

from flask import Response, g, render_template, request
from flask_babel import gettext as _

from app.models import utcnow
from app.services.analytics.report import PERIODS, Report, build_report, report_csv
from app.transactions import discard
from app.web.analytics.charts import Series, bar_chart
from app.web.tenant_bp import tenant_blueprint

bp = tenant_blueprint("analytics", __name__)


def _period() -> int:
    """?days=7|30|90; anything else is the default 30 (links only offer the three)."""
    value = request.args.get("days", "")
    return int(value) if value.isdigit() and int(value) in PERIODS else 30


def _charts(report: Report) -> list:
    labels = [day.day.strftime("%d/%m") for day in report.days]
    messages = bar_chart(_("Mensajes por día"), _("Mensajes de clientes y respuestas públicas, por día."),
                         _("mensajes"), labels,
                         [Series(_("Recibidos"), [d.figures.messages_in for d in report.days], "series-in"),
                          Series(_("Enviados"), [d.figures.messages_out for d in report.days], "series-out")])
    minutes = [None if d.median is None else round(d.median / 60, 1) for d in report.days]
    response = bar_chart(_("Tiempo de primera respuesta por día"),
                         _("Mediana, en minutos, desde el primer mensaje de la clienta hasta la primera respuesta de "
                           "una persona."), _("minutos"), labels, [Series(_("Mediana"), minutes, "series-median")])
    return [messages, response]


@bp.get("/analytics")
def show():
    report = build_report(g.tenant, _period(), utcnow())
    html = render_template("analytics/show.html", report=report, charts=_charts(report), periods=PERIODS)
    discard()  # read-only
    return html


@bp.get("/analytics.csv")
def csv_export():
    report = build_report(g.tenant, _period(), utcnow())
    discard()
    name = f"analytics-{g.tenant.slug}-{report.period}d.csv"
    return Response(report_csv(report).encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
