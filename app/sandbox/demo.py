"""The simulator pre-loaded for the product demo (clearly labelled as a simulator)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .simulator import ChatwootSimulator
from .state import random_token
from .store import StateFile

DEMO_TOKEN = "demo-token"  # tests and benchmarks only: the persisted demo gets a random token
DEMO_WEBHOOK_NAME = "CitaPlanner (demo)"
DEMO_ACCOUNT_ID = 1
DEMO_API_INBOX_ID = 1
DEMO_WHATSAPP_INBOX_ID = 2
DEMO_TEMPLATE = "recordatorio_cita"
# Some numbers come in the +521 form WhatsApp uses for Mexican mobiles, one person exists twice.
DEMO_CONTACTS: tuple[tuple[str, str | None, str | None], ...] = (
    ("Juan Pérez", "+525512345678", None),
    ("María López", "+5215587654321", "maria.lopez@example.mx"),
    ("Sofía Martínez", "+5215544445555", None),
    ("Luis Hernández", "+525522223333", None),
    ("Carmen Ruiz", "+523312345678", "carmen.ruiz@example.mx"),
    ("Pedro Sánchez", "+525533334444", None),
    ("Pedro S.", "+5215533334444", None),
    ("Lucía Torres", "+528112345678", None),
    ("Diego Ramírez", None, "diego.ramirez@example.mx"),
    ("Valeria Gómez", "+5215566667777", None),
)


def make_template(name: str, language: str = "es_MX", body: str = "Hola {{1}}", status: str = "APPROVED",
                  category: str = "UTILITY") -> dict[str, Any]:
    """A WhatsApp message template as Chatwoot stores it after `sync_templates`."""
    return {"name": name, "language": language, "status": status, "category": category,
            "parameter_format": "POSITIONAL", "components": [{"type": "BODY", "text": body}]}


def demo_simulator(token: str = DEMO_TOKEN) -> ChatwootSimulator:
    """Account 1 with an admin token, an API inbox (1), a WhatsApp inbox (2) and ten Mexican contacts."""
    sim = ChatwootSimulator(auto_deliver=True)
    sim.add_account(account_id=DEMO_ACCOUNT_ID, name="Salón Demo (simulador)")
    sim.add_user(token=token, account_ids=[DEMO_ACCOUNT_ID], role="administrator",
                 name="Recepción Demo", email="demo@salon.example")
    sim.add_inbox(DEMO_ACCOUNT_ID, "Integración CitaPlanner (API)", "Channel::Api",
                  inbox_id=DEMO_API_INBOX_ID)
    template = make_template(DEMO_TEMPLATE, body="Hola {{1}}, te recordamos tu cita el {{2}} a las {{3}}.")
    sim.add_inbox(DEMO_ACCOUNT_ID, "WhatsApp Salón (simulado)", "Channel::Whatsapp",
                  inbox_id=DEMO_WHATSAPP_INBOX_ID, phone_number="+525500001111", message_templates=[template])
    for name, phone, email in DEMO_CONTACTS:
        sim.add_contact(DEMO_ACCOUNT_ID, name=name, phone_number=phone, email=email)
    sim.add_incoming_message(DEMO_ACCOUNT_ID, DEMO_WHATSAPP_INBOX_ID, 2, "Hola, ¿tienen lugar el sábado?")
    return sim


def open_demo_simulator(path: Path | str) -> ChatwootSimulator:
    """The demo simulator kept in `path`: as saved there, else fresh demo data with a new random token."""
    state_file = StateFile(path)
    if state_file.exists():
        sim = ChatwootSimulator(auto_deliver=True)
        sim.db = state_file.read()
    else:
        sim = demo_simulator(token=random_token())
    sim.state_file = state_file
    sim.save()
    return sim


def demo_token(sim: ChatwootSimulator) -> str:
    """The access token of the demo account's administrator."""
    with sim.lock:
        users = sorted(sim.db.users.values(), key=lambda user: user.id)
        return next(u.token for u in users if u.is_admin and DEMO_ACCOUNT_ID in u.account_ids)


def wire_demo_webhook(sim: ChatwootSimulator, url: str, secret: str) -> None:
    """Point the demo account's webhook (every event, signed with `secret`) at the app, and save."""
    with sim.lock:
        hook = next((h for h in sim.db.webhooks.values()
                     if h.account_id == DEMO_ACCOUNT_ID and h.name == DEMO_WEBHOOK_NAME), None)
        if hook is None:
            sim.add_webhook(DEMO_ACCOUNT_ID, url, secret=secret, name=DEMO_WEBHOOK_NAME)
        else:
            hook.url, hook.secret = url, secret
    sim.save()
