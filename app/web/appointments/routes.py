"""The upcoming appointments, grouped by the answer the client gave in the conversation."""

from __future__ import annotations

from flask import g, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Appointment, AppointmentStatus, utcnow
from app.web.tenant_bp import tenant_blueprint

bp = tenant_blueprint("appointments", __name__, "/appointments")
GROUPS = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED, AppointmentStatus.CANCEL_REQUESTED)
PER_GROUP = 100


@bp.get("/")
def upcoming():
    groups = {status: db.session.scalars(
        select(Appointment).options(joinedload(Appointment.client))
        .where(Appointment.tenant_id == g.tenant.id, Appointment.status == status,
               Appointment.starts_at >= utcnow()).order_by(Appointment.starts_at, Appointment.id).limit(PER_GROUP)
    ).all() for status in GROUPS}
    return render_template("appointments/upcoming.html", groups=groups)
