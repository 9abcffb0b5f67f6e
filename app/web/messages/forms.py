"""The test-message form: a client or a phone number, free text or a notification text."""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.models import NotificationType
from app.phone import phone_error

TYPE_LABELS = {
    NotificationType.APPOINTMENT_CONFIRMATION: _l("Confirmación de cita"),
    NotificationType.APPOINTMENT_REMINDER: _l("Recordatorio de cita"),
    NotificationType.APPOINTMENT_CANCELLATION: _l("Cancelación de cita"),
    NotificationType.APPOINTMENT_RESCHEDULED: _l("Cambio de horario"),
    NotificationType.MARKETING: _l("Promociones"),
    NotificationType.TEST: _l("Mensaje de prueba"),
}


class TestMessageForm(FlaskForm):
    client_id = StringField()  # the radio buttons of the client search; never rendered by WTForms
    phone = StringField(_l("O escribe un número de teléfono"), validators=[Optional(), Length(max=40)])
    template = SelectField(_l("Texto"), choices=[SelectChoice("", _l("Texto libre (escríbelo abajo)"))] + [
        SelectChoice(t.value, label) for t, label in TYPE_LABELS.items()], validators=[Optional()])
    message = TextAreaField(_l("Mensaje"), validators=[Optional(), Length(max=2000, message=_l(
        "Máximo 2000 caracteres."))])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.client_id.data or (self.phone.data or "").strip()):
            self.phone.errors = [*self.phone.errors, _l("Elige un cliente o escribe un número de teléfono.")]
            ok = False
        elif not self.client_id.data and phone_error(self.phone.data, g.tenant.phone_region):
            self.phone.errors = [*self.phone.errors, _l(
                "No es un número de teléfono válido; escríbelo con lada, p. ej. 55 1234 5678.")]
            ok = False
        if not self.template.data and not (self.message.data or "").strip():
            self.message.errors = [*self.message.errors, _l("Escribe el mensaje o elige un texto.")]
            ok = False
        return ok
