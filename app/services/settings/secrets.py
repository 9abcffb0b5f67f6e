"""Re-encrypting every stored secret with the first ENCRYPTION_KEYS key (`flask secrets rotate`)."""

from __future__ import annotations

from sqlalchemy import select

from app.crypto import SecretDecryptError, rotate
from app.extensions import db
from app.models import ChatwootConfig, NotificationSettings, User
from app.services.audit import record


class SecretRotationError(RuntimeError):
    """A stored secret cannot be decrypted with any configured key; str() names the row and column."""


def rotate_secrets(by: User | str) -> int:
    """Re-encrypt every stored secret (flush, audited); how many were set. All or nothing for the caller."""
    count = 0
    for model in (ChatwootConfig, NotificationSettings):
        for row in db.session.scalars(select(model)):
            for column in model.__secret_columns__:
                try:
                    setattr(row, column, rotate(getattr(row, column)))
                except SecretDecryptError as exc:
                    raise SecretRotationError(f"{model.__tablename__} {row.id} {column}: {exc}") from exc
                count += bool(getattr(row, column))
    record("secrets.rotate", tenant_id=None, by=by, count=count)
    db.session.flush()
    return count
