"""Stored English values read in the page's language: reasons, events, statuses and changes."""

import pytest
from flask import session

from app.web.labels import changes_label, event_label, reason_label


@pytest.fixture
def spanish(app):
    with app.test_request_context("/"):
        yield


@pytest.fixture
def english(app):
    with app.test_request_context("/"):
        session["lang"] = "en"
        yield


@pytest.mark.parametrize(("stored", "spanish_text"), [
    ("the client opted out of marketing messages", "El cliente pidió no recibir promociones"),
    ("the WHATSAPP channel is turned off for this salon", "El canal WHATSAPP está apagado para este salón"),
    ("gave up after 3 attempts: Chatwoot rejected the request (422): phone_number is invalid",
     "Se dejó de intentar tras 3 intentos: Chatwoot rechazó la solicitud (422): phone_number is invalid"),
    ("sent to Chatwoot contact 12, which is linked to another client; this client was not linked to it",
     "Se envió al contacto 12 de Chatwoot, que está vinculado a otro cliente; este cliente no se vinculó a él"),
    ("the phone cannot be used: not a number", "No se puede usar el teléfono: not a number"),
    ("something nobody foresaw", "something nobody foresaw"),
])
def test_reasons_in_spanish(spanish, stored, spanish_text):
    assert reason_label(stored) == spanish_text


def test_reasons_and_events_in_english(english):
    assert reason_label("the client has no email address") == "The client has no email address"
    assert event_label("message_created") == "Message"
    assert changes_label("status: pending → open") == "status: pending → open"


def test_unknown_events_and_changes_are_shown_as_stored(spanish):
    assert event_label("some_new_event") == "some_new_event"
    assert changes_label("status: open → resolved; custom_key: 3") == "estado: abierta → resuelta; custom_key: 3"
