from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    # No strict syntax check here: logging in only compares with stored accounts, and deliverability rules
    # (e.g. special-use domains like .local) must not lock out an existing user.
    email = EmailField(_l("Correo electrónico"), validators=[DataRequired(_l("Escribe tu correo.")), Length(max=254)])
    password = PasswordField(_l("Contraseña"), validators=[DataRequired(_l("Escribe tu contraseña."))])
