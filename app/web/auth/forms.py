from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email


class LoginForm(FlaskForm):
    email = EmailField(_l("Correo electrónico"), validators=[DataRequired(_l("Escribe tu correo.")),
                                                Email(_l("Escribe un correo válido."))])
    password = PasswordField(_l("Contraseña"), validators=[DataRequired(_l("Escribe tu contraseña."))])
