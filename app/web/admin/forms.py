"""Administration forms: a new tenant, a new user."""

from __future__ import annotations

import zoneinfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.extensions import db
from app.models import Role, Tenant, User
from app.phone import configured_region
from app.services.accounts.tenants import slugify


class AdminForm(FlaskForm):
    """Two forms share the admin page: the global CSRF check covers them, each renders the token without an id."""

    class Meta:
        csrf = False


class TenantForm(AdminForm):
    name = StringField(_l("Nombre del salón"), validators=[DataRequired(_l("Escribe el nombre del salón.")),
                                                          Length(max=200, message=_l("Máximo 200 caracteres."))])
    slug = StringField(_l("Identificador en la URL (slug)"), validators=[Optional(), Length(max=80), Regexp(
        r"^[a-z0-9-]+$", message=_l("Minúsculas, números y guiones, p. ej. salon-centro."))])
    timezone = StringField(_l("Zona horaria"), default="America/Mexico_City",
                           validators=[DataRequired(_l("Escribe la zona horaria, p. ej. America/Mexico_City."))])
    region = StringField(_l("País de los teléfonos sin lada internacional"), default=configured_region, validators=[
        DataRequired(_l("Escribe el código de país, p. ej. MX.")),
        Regexp(r"^[A-Za-z]{2}$", message=_l("Dos letras, p. ej. MX, BR, AR."))])

    def validate_slug(self, field) -> None:
        slug = slugify(field.data or self.name.data or "")
        if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)):
            raise ValidationError(_l("Ya existe un salón con el identificador «%(slug)s».", slug=slug))

    def validate_timezone(self, field) -> None:
        if field.data.strip() not in zoneinfo.available_timezones():
            raise ValidationError(_l("Zona horaria desconocida; usa un nombre IANA como America/Mexico_City."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(AdminForm):
    email = EmailField(_l("Correo electrónico"), validators=[DataRequired(_l("Escribe el correo.")),
                                                            Email(_l("Escribe un correo válido."))])
    role = SelectField(_l("Rol"), choices=[SelectChoice(Role.STAFF.value, _l("Personal del salón")),
                                           SelectChoice(Role.ADMIN.value, _l("Administrador (todos los salones)"))])
    tenants = MultiCheckboxField(_l("Salones a los que tiene acceso"), choices=[])
    password = PasswordField(_l("Contraseña inicial"), validators=[
        DataRequired(_l("Escribe una contraseña inicial.")),
        Length(min=10, message=_l("Al menos 10 caracteres."))])

    def validate_email(self, field) -> None:
        if db.session.scalar(select(User.id).where(User.email == field.data.strip().lower())):
            raise ValidationError(_l("Ya existe un usuario con ese correo."))

    def validate_tenants(self, field) -> None:
        if self.role.data == Role.STAFF and not field.data:
            raise ValidationError(_l("El personal necesita al menos un salón."))
