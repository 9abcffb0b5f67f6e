"""Helpers for the sync tests: bulk fixtures and a comparable picture of the synced state."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import insert, select

from app.extensions import db, huey
from app.models import Appointment, Client
from app.phone import canonical_phone


def national(i: int) -> str:
    """The i-th test person's 10-digit Mexico City number."""
    return f"55{10_000_000 + i}"


def key(i: int) -> str:
    return "+52" + national(i)


def seed_clients(tenant, count: int, phone=national, prefix: str = "cl", **columns) -> list[str]:
    """Insert `count` clients in one statement; ids sort in creation order."""
    rows = [{"id": f"{prefix}{i:05d}", "tenant_id": tenant.id, "first_name": f"Cliente{i}", "last_name": "Prueba",
             "phone": phone(i), "phone_e164": canonical_phone(phone(i), tenant.phone_region), **columns}
            for i in range(count)]
    db.session.execute(insert(Client), rows)
    db.session.commit()
    return [row["id"] for row in rows]


def seed_appointments(tenant, client_ids: list[str], starts_at) -> None:
    db.session.execute(insert(Appointment), [
        {"tenant_id": tenant.id, "client_id": client_id, "starts_at": starts_at, "service_name": "Corte"}
        for client_id in client_ids])
    db.session.commit()


def linked_contacts(tenant) -> dict[str, str | None]:
    """{client phone key: linked contact id} for the tenant."""
    db.session.expire_all()
    return dict(db.session.execute(select(Client.phone_e164, Client.chatwoot_contact_id)
                                   .where(Client.tenant_id == tenant.id)).all())


def picture(sim, account_id: int, tenant) -> dict:
    """The synced state without ids: what each client is linked to, and every contact of the account."""
    contacts = {str(c["id"]): c for c in sim.contacts(account_id)}
    ours = ("client_id", "tenant_id")

    def shown(contact):
        attributes = {k: v for k, v in contact["custom_attributes"].items() if k not in ours}
        return contact["phone_number"], contact["name"], tuple(sorted(attributes.items()))

    links = {client_key: shown(contacts[contact_id]) if contact_id in contacts else None
             for client_key, contact_id in linked_contacts(tenant).items()}
    return {"links": links, "contacts": sorted((shown(c) for c in contacts.values()), key=repr)}


def phone_duplicates(sim, account_id: int) -> list[str]:
    """Exact phone strings held by more than one contact (Chatwoot refuses them on create)."""
    counts = Counter(c["phone_number"] for c in sim.contacts(account_id) if c["phone_number"])
    return [phone for phone, n in counts.items() if n > 1]


def drain() -> int:
    """Execute every queued job in this process; returns how many ran."""
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran

