"""Finding a client as staff type: by phone number or by name prefix, always through an index.

Prefixes become ranges (col >= 'Gar' AND col < 'Gas') so the (tenant_id, last_name, first_name) and
(tenant_id, first_name, last_name) indexes serve them on every backend; a leading-wildcard LIKE
would read the whole table. Case is covered by trying the usual capitalisations of what was typed.
"""

from __future__ import annotations

import re

import phonenumbers
from sqlalchemy import or_, select

from app.extensions import db
from app.models import Client
from app.phone import canonical_phone
from app.services.contacts.matching import tenant_region

PHONE_LIKE = re.compile(r"^\+?[\d\s\-().]+$")
MIN_PARTIAL_DIGITS = 4


def search_clients(tenant_id: str, query: str | None, limit: int = 10) -> list[Client]:
    """Clients of a tenant whose phone or name matches what was typed; at most `limit`, sorted by name."""
    text = " ".join((query or "").split())
    if not text:
        return []
    if PHONE_LIKE.match(text):
        return _by_phone(tenant_id, text, limit)
    return _by_name(tenant_id, text, limit)


def _by_phone(tenant_id: str, text: str, limit: int) -> list[Client]:
    region = tenant_region(tenant_id)
    key = canonical_phone(text, region)
    if key is not None:
        # No ORDER BY: sorting by name here would tempt SQLite into walking the name index of the whole salon.
        found = _run(_tenant(tenant_id).where(Client.phone_e164 == key).limit(limit))
        return sorted(found, key=lambda c: (c.full_name.casefold(), c.id))
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PARTIAL_DIGITS:
        return []
    if not text.startswith("+"):
        digits = f"{phonenumbers.country_code_for_region(region)}{digits.lstrip('0')}"
    return _run(_tenant(tenant_id).where(*_prefix_range(Client.phone_e164, "+" + digits))
                .order_by(Client.phone_e164, Client.id).limit(limit))


def _by_name(tenant_id: str, text: str, limit: int) -> list[Client]:
    first, _, rest = text.partition(" ")
    arms = [(Client.last_name, Client.first_name, text, None), (Client.first_name, Client.last_name, text, None)]
    if rest:
        arms += [(Client.first_name, Client.last_name, first, rest), (Client.last_name, Client.first_name, first, rest)]
    found: dict[str, Client] = {}
    for column, other, prefix, other_prefix in arms:
        for variant in _case_variants(prefix):
            query = _tenant(tenant_id).where(*_prefix_range(column, variant))
            if other_prefix:
                query = query.where(or_(*(other.startswith(v, autoescape=True) for v in _case_variants(other_prefix))))
            for client in _run(query.order_by(column, other, Client.id).limit(limit)):
                found.setdefault(client.id, client)
    return sorted(found.values(), key=lambda c: (c.full_name.casefold(), c.id))[:limit]


def _tenant(tenant_id: str):
    return select(Client).where(Client.tenant_id == tenant_id)


def _run(query) -> list[Client]:
    return list(db.session.scalars(query).all())


def _prefix_range(column, prefix: str) -> tuple:
    """col >= prefix AND col < prefix-with-its-last-character-bumped: an index range scan."""
    upper = prefix[:-1] + chr(min(ord(prefix[-1]) + 1, 0x10FFFF))
    return column >= prefix, column < upper


def _case_variants(text: str) -> list[str]:
    return list(dict.fromkeys([text, text.capitalize(), text.title(), text.lower(), text.upper()]))
