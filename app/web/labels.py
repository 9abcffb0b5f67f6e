"""Words a person reads for values stored in English: event names, statuses, changes and reasons.

The database keeps Chatwoot's event names and our reasons as stable English text (the API, the CLI
and the logs read them too); pages show them in the page's language through these filters. A value
no rule knows is shown as stored, so nothing is ever hidden.
"""

from __future__ import annotations

import re

from flask import Flask
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

EVENTS = {
    "message_created": _l("Mensaje"),
    "message_updated": _l("Estado de mensaje"),
    "conversation_created": _l("Conversación nueva"),
    "conversation_updated": _l("Conversación actualizada"),
    "conversation_status_changed": _l("Cambio de estado de conversación"),
    "conversation_opened": _l("Conversación abierta"),
    "conversation_resolved": _l("Conversación resuelta"),
    "contact_created": _l("Contacto nuevo"),
    "contact_updated": _l("Contacto actualizado"),
    "notification_sent": _l("Notificación enviada"),
    "test_message": _l("Mensaje de prueba"),
    "webwidget_triggered": _l("Widget abierto"),
    "automation_reply": _l("Respuesta automática"),
    "appointment_confirmed": _l("Cita confirmada por la clienta"),
    "appointment_cancel_requested": _l("Cancelación pedida por la clienta"),
    "marketing_opt_out": _l("Baja de promociones"),
    "marketing_opt_in": _l("Alta de promociones"),
}

STATUSES = {
    "open": _l("abierta"), "resolved": _l("resuelta"), "pending": _l("pendiente"), "snoozed": _l("pospuesta"),
    "sent": _l("enviado"), "delivered": _l("entregado"), "read": _l("leído"), "failed": _l("fallido"),
    "progress": _l("en curso"), "confirmed": _l("confirmada"), "cancel_requested": _l("cancelación pedida"),
}

CHANGE_KEYS = {
    "status": _l("estado"), "assignee_id": _l("agente asignado"), "team_id": _l("equipo"),
    "priority": _l("prioridad"), "labels": _l("etiquetas"), "label_list": _l("etiquetas"),
    "snoozed_until": _l("pospuesta hasta"), "custom_attributes": _l("atributos"),
    "additional_attributes": _l("datos adicionales"), "first_reply_created_at": _l("primera respuesta"),
}

# Reasons stored by the notification and sync operations, with the parts that vary as named groups.
REASONS: list[tuple[re.Pattern[str], LazyString]] = [(re.compile(pattern), message) for pattern, message in [
    (r"^Chatwoot notifications are disabled for this salon$",
     _l("Las notificaciones por Chatwoot están apagadas para este salón")),
    (r"^the client opted out of marketing messages$", _l("El cliente pidió no recibir promociones")),
    (r"^push notifications are not delivered through Chatwoot$",
     _l("Las notificaciones push no se envían por Chatwoot")),
    (r"^the (?P<channel>\w+) channel is turned off for this salon$",
     _l("El canal %(channel)s está apagado para este salón")),
    (r"^no Chatwoot inbox is mapped for the (?P<channel>\w+) channel$",
     _l("No hay bandeja de Chatwoot para el canal %(channel)s")),
    (r"^the client has no email address$", _l("El cliente no tiene correo electrónico")),
    (r"^the appointment is no longer scheduled$", _l("La cita ya no está agendada")),
    (r"^the appointment has already started$", _l("La cita ya empezó")),
    (r"^the appointment was rescheduled$", _l("La cita se reprogramó")),
    (r"^the appointment is (?P<status>\w+)$", _l("La cita está en estado «%(status)s»")),
    (r"^quiet hours last until the appointment starts$",
     _l("El horario de silencio dura hasta que empieza la cita")),
    (r"^the reminder time had already passed when the appointment was booked$",
     _l("La hora del recordatorio ya había pasado cuando se agendó la cita")),
    (r"^no Chatwoot inbox is configured for notifications$",
     _l("No hay bandeja de Chatwoot configurada para notificaciones")),
    (r"^the client no longer exists$", _l("El cliente ya no existe")),
    (r"^sent to Chatwoot contact (?P<contact>\w+), which is linked to another client; this client was not "
     r"linked to it$", _l("Se envió al contacto %(contact)s de Chatwoot, que está vinculado a otro cliente; "
                          "este cliente no se vinculó a él")),
    (r"^the phone cannot be used: (?P<detail>.*)$", _l("No se puede usar el teléfono: %(detail)s")),
    (r"^the client's phone cannot be used: (?P<detail>.*)$",
     _l("No se puede usar el teléfono del cliente: %(detail)s")),
    (r"^gave up after (?P<count>\d+) attempts: (?P<detail>.*)$",
     _l("Se dejó de intentar tras %(count)s intentos: %(detail)s")),
    (r"^Chatwoot refused the access token or the inbox \((?P<status>\d+)\): (?P<detail>.*)$",
     _l("Chatwoot rechazó el token de acceso o la bandeja (%(status)s): %(detail)s")),
    (r"^Chatwoot rejected the request \((?P<status>\d+)\): (?P<detail>.*)$",
     _l("Chatwoot rechazó la solicitud (%(status)s): %(detail)s")),
    (r"^Chatwoot could not find the record \((?P<status>\d+)\): (?P<detail>.*)$",
     _l("Chatwoot no encontró el registro (%(status)s): %(detail)s")),
    (r"^Chatwoot error \((?P<status>\w+)\): (?P<detail>.*)$", _l("Error de Chatwoot (%(status)s): %(detail)s")),
]]


def event_label(event: str | None) -> str:
    """"Mensaje" for message_created; an unknown event name is shown as it is."""
    return str(EVENTS[event]) if event in EVENTS else (event or "")


def status_label(status: str | None) -> str:
    return str(STATUSES[status]) if status in STATUSES else (status or "")


def changes_label(text: str | None) -> str:
    """"status: open → resolved; assignee_id: 5" in the page's language, key by key."""
    if not text:
        return ""
    return "; ".join(_change(part) for part in text.split("; "))


def _change(part: str) -> str:
    key, sep, values = part.partition(": ")
    if not sep or key not in CHANGE_KEYS:
        return part
    shown = " → ".join(status_label(value) for value in values.split(" → "))
    return f"{CHANGE_KEYS[key]}: {shown}"


def reason_label(reason: str | None) -> str:
    """A stored English reason in the page's language (its variable parts kept)."""
    if not reason:
        return ""
    for pattern, message in REASONS:
        found = pattern.match(reason)
        if found:
            values = {name: reason_label(value) if name == "detail" else value
                      for name, value in found.groupdict().items()}
            return str(message) % values  # translated now, then filled
    return reason


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(event_label=event_label, status_label=status_label,
                                 changes_label=changes_label, reason_label=reason_label)
