"""First-run demo data: one salon wired to the bundled Chatwoot simulator (both ways), and an admin."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.cli import committed
from app.crypto import SecretDecryptError, reveal
from app.extensions import db
from app.models import Appointment, ChatwootConfig, NotificationSettings, Role, Tenant, utcnow
from app.services.accounts.tenants import create_tenant, create_user

DEMO_SLUG = "demo"
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
    from app.services.clients.records import upsert_client

    tenant = create_tenant("Salón Demo (simulador Chatwoot)", slug=DEMO_SLUG, by="cli")
    settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
    settings.chatwoot_enabled = True
    settings.chatwoot_api_url = DEMO_SIMULATOR_URL
    now = utcnow()
    for index, (first, last, phone) in enumerate(DEMO_CLIENTS):
        client = upsert_client(tenant, {"first_name": first, "last_name": last, "phone": phone}).obj
        db.session.add(Appointment(tenant_id=tenant.id, client_id=client.id, service_name="Corte de cabello",
                                   staff_name="Laura", starts_at=now + timedelta(days=index + 1, hours=2),
                                   ends_at=now + timedelta(days=index + 1, hours=3)))
    create_user(admin_email, password, role=Role.ADMIN, by="cli")
    db.session.flush()


def wire_demo(app_url: str) -> str | None:
    """Wire the demo salon and the simulator both ways (idempotent; commits).

    The salon gets the simulator's token and account, and a webhook secret; the simulator's account webhook
    points at `app_url` and signs with that secret. Nothing happens when the demo salon is gone or an operator
    pointed it at another Chatwoot. Returns the webhook URL registered in the simulator, or None.
    """
    from app.sandbox import demo_token, open_demo_simulator, wire_demo_webhook
    from app.sandbox.demo import DEMO_ACCOUNT_ID, DEMO_API_INBOX_ID

    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
    settings, config = _demo_rows(tenant)
    if settings is None or config is None or (settings.chatwoot_api_url or "").rstrip("/") != DEMO_SIMULATOR_URL:
        return None
    sim = open_demo_simulator(current_app.config["SIMULATOR_STATE_PATH"])
    token = demo_token(sim)
    with committed():
        if _plain(settings.chatwoot_api_token) != token:
            settings.chatwoot_api_token = token
        settings.chatwoot_account_id, settings.chatwoot_inbox_id = str(DEMO_ACCOUNT_ID), str(DEMO_API_INBOX_ID)
        secret = _plain(config.webhook_secret)
        if not secret:
            secret = config.webhook_secret = secrets.token_urlsafe(24)
    url = app_url.rstrip("/") + "/api/webhooks/chatwoot"
    wire_demo_webhook(sim, url, secret)
    return url


def _demo_rows(tenant: Tenant | None) -> tuple[NotificationSettings | None, ChatwootConfig | None]:
    if tenant is None:
        return None, None
    settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))
    return settings, config


def _plain(stored: str | None) -> str | None:
    """A stored secret's value; one the current keys cannot read counts as missing (the demo sets a new one)."""
    try:
        return reveal(stored)
    except SecretDecryptError:
        return None
