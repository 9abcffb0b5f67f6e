"""Filters of the interaction log (a GET form: no CSRF token, bookmarkable)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from app.web.labels import EVENTS

KNOWN_EVENTS = ("message_created", "message_updated", "conversation_created", "conversation_status_changed",
                "conversation_updated", "contact_created", "contact_updated", "notification_sent", "test_message")
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_INPUT = {"type": "text", "placeholder": _l("dd/mm/aaaa"), "inputmode": "numeric", "autocomplete": "off",
              "size": 10}


class InteractionFilterForm(FlaskForm):
    class Meta:
        csrf = False

    direction = SelectField(_l("Dirección"), choices=[
        SelectChoice("", _l("Todas")), SelectChoice("incoming", _l("Entrantes")),
        SelectChoice("outgoing", _l("Salientes")), SelectChoice("system", _l("Sistema"))], validators=[Optional()])
    event = SelectField(_l("Evento"), choices=[SelectChoice("", _l("Todos")), *(
        SelectChoice(name, EVENTS[name]) for name in KNOWN_EVENTS)], validators=[Optional()])
    matched = SelectField(_l("Cliente identificado"), choices=[
        SelectChoice("", _l("Todos")), SelectChoice("yes", _l("Con cliente")), SelectChoice("no", _l("Sin cliente"))],
        validators=[Optional()])
    client = HiddenField()
    # Text, not type=date: a date input follows the browser's locale (mm/dd/yyyy in an English Chromium),
    # not the salon's. Day-first or ISO both read.
    since = DateField(_l("Desde"), validators=[Optional()], format=DATE_FORMATS, render_kw=DATE_INPUT)
    until = DateField(_l("Hasta"), validators=[Optional()], format=DATE_FORMATS, render_kw=DATE_INPUT)

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("La fecha final es anterior a la inicial."))
