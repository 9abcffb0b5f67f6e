"""Filters of the interaction log (a GET form: no CSRF token, bookmarkable)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

KNOWN_EVENTS = ("message_created", "message_updated", "conversation_created", "conversation_status_changed",
                "conversation_updated", "contact_created", "contact_updated", "test_message")


class InteractionFilterForm(FlaskForm):
    class Meta:
        csrf = False

    direction = SelectField(_l("Dirección"), choices=[
        SelectChoice("", _l("Todas")), SelectChoice("incoming", _l("Entrantes")),
        SelectChoice("outgoing", _l("Salientes")), SelectChoice("system", _l("Sistema"))], validators=[Optional()])
    event = StringField(_l("Evento"), validators=[Optional(), Length(max=60, message=_l("Máximo 60 caracteres."))])
    matched = SelectField(_l("Cliente identificado"), choices=[
        SelectChoice("", _l("Todos")), SelectChoice("yes", _l("Con cliente")), SelectChoice("no", _l("Sin cliente"))],
        validators=[Optional()])
    client = HiddenField()
    since = DateField(_l("Desde"), validators=[Optional()], format="%Y-%m-%d",
                      render_kw={"type": "date"})
    until = DateField(_l("Hasta"), validators=[Optional()], format="%Y-%m-%d",
                      render_kw={"type": "date"})

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("La fecha final es anterior a la inicial."))
