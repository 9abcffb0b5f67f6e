"""The settings sections, one form each (Spanish labels, field-level messages).

The global CSRF protection checks every POST, so these forms skip their own token field: several forms
share one page and each renders the token without an id (no duplicate ids).
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FormField, PasswordField, StringField, TextAreaField
from wtforms import Form as PlainForm
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.models import NotificationType
from app.services.settings.widget import is_http_url

DIGITS = Regexp(r"^\d+$", message=_l("Solo números, p. ej. 3."))
HHMM = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("Usa el formato HH:MM de 24 horas, p. ej. 21:00."))
NO_SPACES = Regexp(r"^\S*$", message=_l("Sin espacios: pega el valor tal como lo copia Chatwoot."))
OFFSET_ITEM = re.compile(r"^(\d+)\s*(h|hr|hrs|hora|horas|m|min|mins|minuto|minutos)$")
MAX_OFFSET_MINUTES = 30 * 24 * 60
MAX_OFFSETS = 5


class SectionForm(FlaskForm):
    class Meta:
        csrf = False


def http_url(form, field) -> None:
    if field.data and not is_http_url(field.data.strip()):
        raise ValidationError(_l("Escribe la dirección completa, p. ej. https://app.chatwoot.com"))


class CredentialsForm(SectionForm):
    api_url = StringField(_l("URL de la API de Chatwoot"), validators=[Optional(), http_url, Length(max=500)])
    account_id = StringField(_l("ID de la cuenta"), validators=[Optional(), DIGITS])
    inbox_id = StringField(_l("ID de la bandeja (inbox)"), validators=[Optional(), DIGITS])
    token = PasswordField(_l("Token de acceso a la API"),
                          validators=[Optional(), NO_SPACES, Length(max=200, message=_l("Máximo 200 caracteres."))])


class WidgetForm(SectionForm):
    base_url = StringField(_l("URL de Chatwoot para el widget"), validators=[Optional(), http_url, Length(max=500)])
    website_token = StringField(_l("Token del sitio web (website token)"),
                                validators=[Optional(), NO_SPACES, Length(max=200)])


class WebhookSecretForm(SectionForm):
    secret = PasswordField(_l("Secreto del webhook"), validators=[
        DataRequired(_l("Pega el secreto que muestra Chatwoot.")), NO_SPACES,
        Length(min=8, max=200, message=_l("Entre 8 y 200 caracteres."))])


class ConfirmForm(SectionForm):
    """A button-only action (rotate, revoke): the CSRF check is all it needs."""


class TogglesForm(SectionForm):
    chatwoot_enabled = BooleanField(_l("Canal Chatwoot activado (enviar notificaciones)"))
    accept_unsigned = BooleanField(_l("Aceptar webhooks sin firma en la URL general"))
    auto_create = BooleanField(_l("Crear clientes automáticamente desde contactos nuevos"))
    accept_contact_edits = BooleanField(
        _l("Copiar al cliente el nombre y el correo que corrijan los agentes en Chatwoot"))


def parse_offset_text(text: str) -> list[int]:
    """'24 h, 2 h, 30 min' → [1440, 120, 30]; raises ValidationError with the first bad item."""
    items = [part.strip().lower() for part in re.split(r"[,;]", text or "") if part.strip()]
    minutes = []
    for item in items:
        match = OFFSET_ITEM.match(item)
        if not match:
            raise ValidationError(_l("«%(item)s» no se entiende: escribe cada anticipación como «24 h» o «30 min».",
                                     item=item))
        value = int(match.group(1)) * (1 if match.group(2).startswith("m") else 60)
        if not 1 <= value <= MAX_OFFSET_MINUTES:
            raise ValidationError(_l("Cada anticipación debe estar entre 1 minuto y 30 días."))
        minutes.append(value)
    if len(set(minutes)) > MAX_OFFSETS:
        raise ValidationError(_l("Como máximo %(n)s recordatorios por cita.", n=MAX_OFFSETS))
    return minutes


class RemindersForm(SectionForm):
    offsets = StringField(_l("Anticipación de los recordatorios"), validators=[Length(max=100)])
    quiet_start = StringField(_l("Horario de silencio: desde"), validators=[Optional(), HHMM])
    quiet_end = StringField(_l("Horario de silencio: hasta"), validators=[Optional(), HHMM])
    send_confirmations = BooleanField(_l("Enviar confirmación al agendar"))
    send_reminders = BooleanField(_l("Enviar recordatorios"))
    send_cancellations = BooleanField(_l("Avisar cancelaciones"))
    send_reschedules = BooleanField(_l("Avisar cambios de horario"))

    def validate_offsets(self, field) -> None:
        self.offsets_minutes = parse_offset_text(field.data)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        start, end = (self.quiet_start.data or "").strip(), (self.quiet_end.data or "").strip()
        problem = None
        if bool(start) != bool(end):
            problem = _l("Escribe ambas horas, o deja las dos vacías para no tener horario de silencio.")
        elif start and start == end:
            problem = _l("La hora final debe ser distinta de la inicial.")
        if problem and not self.quiet_end.errors:
            self.quiet_end.errors = [*self.quiet_end.errors, problem]
        return ok and problem is None

    def sends(self) -> dict[str, bool]:
        return {name: self[f"send_{name}"].data for name in ("confirmations", "reminders", "cancellations",
                                                             "reschedules")}


class TemplateForm(SectionForm):
    body = TextAreaField(_l("Texto"), validators=[Length(max=2000, message=_l("Máximo 2000 caracteres."))])


class WhatsAppTemplateForm(PlainForm):
    name = StringField(_l("Nombre de la plantilla"), validators=[
        Optional(), Regexp(r"^[a-z0-9_]+$", message=_l("Minúsculas, números y guion bajo, como en Meta.")),
        Length(max=120)])
    language = StringField(_l("Idioma"), validators=[
        Optional(), Regexp(r"^[a-z]{2}(_[A-Z]{2})?$", message=_l("Código de idioma, p. ej. es_MX."))])
    params = StringField(_l("Variables en orden ({{1}}, {{2}}…)"), validators=[Optional(), Regexp(
        r"^\s*[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*\s*$",
        message=_l("Nombres de variables separados por comas, p. ej. clientName, appointmentTime."))])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if (self.name.data or "").strip() and not (self.language.data or "").strip():
            self.language.errors = [*self.language.errors, _l("Indica el idioma de la plantilla.")]
            return False
        return ok

    def mapping(self) -> dict | None:
        if not (self.name.data or "").strip():
            return None
        params = [p.strip() for p in (self.params.data or "").split(",") if p.strip()]
        return {"name": self.name.data.strip(), "language": self.language.data.strip(), "params": params}


class WhatsAppTemplatesForm(SectionForm):
    """One sub-form per notification type, named after it."""

    def mappings(self) -> dict[str, dict | None]:
        return {t.value: self[t.value].mapping() for t in NotificationType}


for _type in NotificationType:
    setattr(WhatsAppTemplatesForm, _type.value, FormField(WhatsAppTemplateForm, label=_type.value))


class ChannelInboxesForm(SectionForm):
    whatsapp_enabled = BooleanField(_l("Enviar por WhatsApp"))
    sms_enabled = BooleanField(_l("Enviar por SMS"))
    email_enabled = BooleanField(_l("Enviar por correo"))
    whatsapp_inbox_id = StringField(_l("Bandeja de WhatsApp"), validators=[Optional(), DIGITS])
    sms_inbox_id = StringField(_l("Bandeja de SMS"), validators=[Optional(), DIGITS])
    email_inbox_id = StringField(_l("Bandeja de correo"), validators=[Optional(), DIGITS])


class ApiKeyForm(SectionForm):
    name = StringField(_l("Nombre de la clave"), validators=[
        DataRequired(_l("Ponle un nombre para reconocerla, p. ej. «CitaPlanner producción».")),
        Length(max=120, message=_l("Máximo 120 caracteres."))])
