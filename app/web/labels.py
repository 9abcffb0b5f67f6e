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
    # The connection check (app/services/settings/health.py).
    (r"^Connected to Chatwoot account (?P<account>\S+) as (?P<user>.*) \((?P<role>[^()]*)\); "
     r"inbox (?P<inbox>\S+) is “(?P<name>.*)” \((?P<channel>[^()]*)\)\.$",
     _l("Conectado a la cuenta %(account)s de Chatwoot como %(user)s (%(role)s); la bandeja %(inbox)s es "
        "«%(name)s» (%(channel)s).")),
    (r"^This is an agent-bot token: ", _l("Es un token de agente bot: los contactos y la sincronización necesitan "
                                         "el token de acceso de un usuario (Chatwoot → Ajustes del perfil → "
                                         "Token de acceso).")),
    (r"^(?P<detail>.*): Chatwoot did not accept the API access token\.$",
     _l("%(detail)s: Chatwoot no aceptó el token de acceso.")),
    (r"^No Chatwoot API at (?P<url>\S+) \(404 on /api/v1/profile\)",
     _l("No hay API de Chatwoot en %(url)s (404 en /api/v1/profile): usa la dirección de la instalación de "
        "Chatwoot.")),
    (r"^The token's user \((?P<user>.*)\) is not a member of Chatwoot account (?P<account>\S+)\.$",
     _l("El usuario del token (%(user)s) no es miembro de la cuenta %(account)s de Chatwoot.")),
    (r"^Inbox (?P<inbox>\S+) not found in account (?P<account>\S+)\. ?(?P<detail>.*)$",
     _l("La bandeja %(inbox)s no existe en la cuenta %(account)s. %(detail)s")),
    (r"^Inboxes this token can use: (?P<inboxes>.*)\.$", _l("Bandejas que este token puede usar: %(inboxes)s.")),
    (r"^The token sees no inbox in this account\.$", _l("El token no ve ninguna bandeja en esta cuenta.")),
    (r"^The token's user is not a member of inbox (?P<inbox>\S+): ",
     _l("El usuario del token no es miembro de la bandeja %(inbox)s: un administrador debe agregarlo a la "
        "bandeja, o usa el token de un administrador.")),
    (r"^Chatwoot is rate limiting this account \(429\)",
     _l("Chatwoot está limitando las solicitudes de esta cuenta (429); inténtalo en un minuto.")),
    (r"^Chatwoot is unreachable at (?P<url>\S+): (?P<detail>.*?)\.?$",
     _l("No se puede contactar a Chatwoot en %(url)s: %(detail)s.")),
    (r"^Chatwoot answered with an error: (?P<detail>.*)$", _l("Chatwoot respondió con un error: %(detail)s")),
    # Refused credential saves (app/services/settings/credentials.py).
    (r"^A new Chatwoot address needs its token: ",
     _l("Una dirección nueva de Chatwoot necesita su token: escribe también el token de acceso (el token guardado "
        "nunca se envía a otro servidor).")),
    (r"^Chatwoot account (?P<account>\S+) cannot be checked without the API URL and the token",
     _l("La cuenta %(account)s de Chatwoot no se puede comprobar sin la URL de la API y el token: escribe los "
        "tres juntos.")),
    (r"^The token's user \((?P<user>.*)\) is not a member of Chatwoot account (?P<account>\S+): only a token",
     _l("El usuario del token (%(user)s) no es miembro de la cuenta %(account)s de Chatwoot: solo un token de esa "
        "cuenta puede reclamarla.")),
    (r"^Chatwoot did not accept the API access token \((?P<detail>.*)\)\.$",
     _l("Chatwoot no aceptó el token de acceso (%(detail)s).")),
    (r"^Chatwoot did not answer within (?P<seconds>\S+) s, so the account could not be checked\.$",
     _l("Chatwoot no respondió en %(seconds)s s, así que no se pudo comprobar la cuenta.")),
    (r"^Chatwoot is unreachable at (?P<url>\S+) \((?P<detail>.*)\), so the account could not be checked\.$",
     _l("No se puede contactar a Chatwoot en %(url)s (%(detail)s), así que no se pudo comprobar la cuenta.")),
    (r"^Chatwoot could not confirm the account: (?P<detail>.*)$",
     _l("Chatwoot no pudo confirmar la cuenta: %(detail)s")),
    (r"^Chatwoot settings incomplete: missing (?P<fields>.*)$",
     _l("Faltan datos de Chatwoot: %(fields)s")),
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
