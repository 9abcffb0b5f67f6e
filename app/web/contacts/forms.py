"""Forms of the contacts pages (Spanish labels, field-level messages)."""

from flask import g
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.services.contacts.matching import MatchReason, match_phone

CLIENT_FIELDS = ("first_name", "last_name", "phone", "email")


class CreateClientForm(FlaskForm):
    """A new client from an unmatched Chatwoot contact."""

    first_name = StringField(_l("Nombre"), validators=[DataRequired(_l("Escribe el nombre.")),
                                                      Length(max=120, message=_l("Máximo 120 caracteres."))])
    last_name = StringField(_l("Apellidos"), validators=[Optional(), Length(max=120, message=_l(
        "Máximo 120 caracteres."))])
    phone = StringField(_l("Teléfono"), validators=[DataRequired(_l("Escribe el teléfono."))])
    email = EmailField(_l("Correo electrónico"), validators=[Optional(), Email(_l("Escribe un correo válido."))])

    def validate_phone(self, field) -> None:
        found = match_phone(field.data, g.tenant.id, g.tenant.phone_region)
        if found.reason == MatchReason.INVALID_PHONE:
            raise ValidationError(_l("No es un número de teléfono válido; escríbelo con lada, p. ej. 55 1234 5678."))
        if found.candidates:
            names = ", ".join(c.full_name for c in found.candidates)
            raise ValidationError(_l("Ese teléfono ya es de %(names)s: vincula el contacto con ese cliente.",
                                     names=names))
