"""Per-tenant keys for the booking-system API: shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import ApiKey, Tenant, User, utcnow
from app.services.audit import actor_of, record

KEY_PREFIX = "cpk_"
SHOWN_PREFIX = 12  # "cpk_" plus 8 characters: enough to tell keys apart in a list, useless to an attacker
TOUCH_EVERY = timedelta(minutes=1)


class ApiKeyError(ValueError):
    """A key cannot be created or found as asked."""


def hash_key(plaintext: str) -> str:
    """The stored form of a key (keys are long random strings, so a plain SHA-256 is enough)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_key(tenant: Tenant, name: str, by: User | str = "cli") -> tuple[ApiKey, str]:
    """A new key for the tenant (audited): (row, plaintext). The plaintext exists only in this return value."""
    name = (name or "").strip()
    if not name:
        raise ApiKeyError("the key needs a name")
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(tenant_id=tenant.id, name=name[:120], prefix=plaintext[:SHOWN_PREFIX],
                 key_hash=hash_key(plaintext), created_by=actor_of(by)[0])
    db.session.add(key)
    db.session.flush()
    record("api_key.create", tenant_id=tenant.id, by=by, target_type="api_key", target_id=key.id, name=key.name)
    return key, plaintext


def revoke_api_key(key_id: str, tenant_id: str | None = None, by: User | str = "cli") -> ApiKey:
    """Revoke a key (idempotent, audited); with tenant_id, a key of another tenant is not found."""
    key = db.session.get(ApiKey, key_id)
    if key is None or (tenant_id is not None and key.tenant_id != tenant_id):
        raise ApiKeyError(f"no API key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record("api_key.revoke", tenant_id=key.tenant_id, by=by, target_type="api_key", target_id=key.id,
               name=key.name)
    db.session.flush()
    return key


def authenticate(plaintext: str | None) -> ApiKey | None:
    """The live key for a presented secret, or None (unknown or revoked); notes when it was last used."""
    if not plaintext or not plaintext.startswith(KEY_PREFIX):
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(plaintext)))
    if key is None or key.revoked_at is not None:
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        key.last_used_at = now
        db.session.flush()
    return key
