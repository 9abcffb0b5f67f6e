"""First-run demo data: one salon wired to the bundled Chatwoot simulator, and an admin."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, NotificationSettings, Role, utcnow
from app.services.accounts.tenants import create_tenant, create_user

DEMO_SIMULATOR_URL = os.environ.get("SIMULATOR_URL", "http://127.0.0.1:5055")
DEMO_CLIENTS = [
    ("Juan", "Pérez", "55 1234 5678"),
    ("María", "López", "+52 55 8765 4321"),
    ("Ana", "García", "(555) 123-4567"),
    ("Luis", "Hernández", "044 55 2222 3333"),
    ("Sofía", "Martínez", "+5215544445555"),
]


def create_demo_data(admin_email: str, password: str) -> None:
    """Create the demo salon (using the simulator, clearly labelled) and the first administrator."""
    from app.sandbox import DEMO_TOKEN
    from app.services.clients.records import upsert_client

    tenant = create_tenant("Salón Demo (simulador Chatwoot)", slug="demo")
    settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
    settings.chatwoot_enabled = True
    settings.chatwoot_api_url = DEMO_SIMULATOR_URL
    settings.chatwoot_api_token = DEMO_TOKEN
    settings.chatwoot_account_id = "1"
    settings.chatwoot_inbox_id = "1"
    now = utcnow()
    for index, (first, last, phone) in enumerate(DEMO_CLIENTS):
        client = upsert_client(tenant, {"first_name": first, "last_name": last, "phone": phone}).obj
        db.session.add(Appointment(tenant_id=tenant.id, client_id=client.id, service_name="Corte de cabello",
                                   staff_name="Laura", starts_at=now + timedelta(days=index + 1, hours=2),
                                   ends_at=now + timedelta(days=index + 1, hours=3)))
    create_user(admin_email, password, role=Role.ADMIN)
    db.session.flush()
