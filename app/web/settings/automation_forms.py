"""The automations section: switches, Spanish texts, the weekly schedule, closed dates and the callback."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.services.automations.hours import parse_dates, parse_ranges
from app.web.settings.forms import SectionForm, http_url

DAYS = (_l("Lunes"), _l("Martes"), _l("Miércoles"), _l("Jueves"), _l("Viernes"), _l("Sábado"), _l("Domingo"))


def _ranges(form, field) -> None:
    try:
        parse_ranges(field.data)
    except ValueError as exc:
        raise ValidationError(_l("Horario no válido: «%(part)s». Usa 10:00-14:00, 16:00-20:00.",
                                 part=str(exc))) from exc


def _dates(form, field) -> None:
    try:
        parse_dates(field.data)
    except ValueError as exc:
        raise ValidationError(_l("Escribe una fecha por línea con el formato 2026-12-25.")) from exc


class AutomationsForm(SectionForm):
    confirm_enabled = BooleanField(_l("Responder para confirmar (1 / Sí confirma, 2 / No pide cancelar)"))
    optout_enabled = BooleanField(_l("Palabras de baja (BAJA, STOP, ALTO; ALTA o START para volver)"))
    out_of_hours_enabled = BooleanField(_l("Respuesta fuera de horario"))
    confirm_text = TextAreaField(_l("Texto al confirmar"), validators=[Optional(), Length(max=1000)])
    cancel_text = TextAreaField(_l("Texto al pedir cancelación"), validators=[Optional(), Length(max=1000)])
    optout_text = TextAreaField(_l("Texto al darse de baja"), validators=[Optional(), Length(max=1000)])
    optin_text = TextAreaField(_l("Texto al volver a darse de alta"), validators=[Optional(), Length(max=1000)])
    out_of_hours_text = TextAreaField(_l("Texto fuera de horario"), validators=[Optional(), Length(max=1000)])
    day_0 = StringField(DAYS[0], validators=[_ranges])
    day_1 = StringField(DAYS[1], validators=[_ranges])
    day_2 = StringField(DAYS[2], validators=[_ranges])
    day_3 = StringField(DAYS[3], validators=[_ranges])
    day_4 = StringField(DAYS[4], validators=[_ranges])
    day_5 = StringField(DAYS[5], validators=[_ranges])
    day_6 = StringField(DAYS[6], validators=[_ranges])
    closed_dates = TextAreaField(_l("Días cerrados (uno por línea, AAAA-MM-DD)"), validators=[_dates])
    callback_url = StringField(_l("URL del callback de reservas"), validators=[Optional(), http_url, Length(max=500)])
    callback_secret = PasswordField(_l("Secreto del callback (vacío: se conserva el actual)"),
                                    validators=[Optional(), Length(max=200)])

    def schedule(self) -> dict[str, list]:
        return {str(day): parse_ranges(self[f"day_{day}"].data) for day in range(7)}
