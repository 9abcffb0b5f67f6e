"""Per-tenant keys for the booking-system API: shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import ApiKey, Tenant, utcnow
from app.services.audit import audit

KEY_PREFIX = "cpk_"
SHOWN_PREFIX = 12  # "cpk_" plus 8 characters: enough to tell keys apart in a list, useless to an attacker
TOUCH_EVERY = timedelta(minutes=1)


class ApiKeyError(ValueError):
    """A key cannot be created or found as asked."""


def hash_key(plaintext: str) -> str:
    """The stored form of a key (keys are long random strings, so a plain SHA-256 is enough)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_key(tenant: Tenant, name: str, created_by: str | None = None) -> tuple[ApiKey, str]:
    """A new key for the tenant: (row, plaintext). The plaintext exists only in this return value."""
    name = (name or "").strip()
    if not name:
        raise ApiKeyError("the key needs a name")
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(tenant_id=tenant.id, name=name[:120], prefix=plaintext[:SHOWN_PREFIX],
                 key_hash=hash_key(plaintext), created_by=created_by)
    db.session.add(key)
    db.session.flush()
    audit(tenant.id, "api_key.create", created_by or "cli", object_type="api_key", object_id=key.id, name=key.name)
    return key, plaintext


def revoke_api_key(key_id: str, tenant_id: str | None = None, actor: str = "cli") -> ApiKey:
    """Revoke a key (idempotent); with tenant_id, a key of another tenant is not found."""
    key = db.session.get(ApiKey, key_id)
    if key is None or (tenant_id is not None and key.tenant_id != tenant_id):
        raise ApiKeyError(f"no API key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit(key.tenant_id, "api_key.revoke", actor, object_type="api_key", object_id=key.id, name=key.name)
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
