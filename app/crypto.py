"""Secrets at rest: MultiFernet with rotation (the first key encrypts, every key decrypts)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

# Every Fernet token starts with the version byte 0x80, which base64 renders as "gAAAAA".
_TOKEN_PREFIX = "gAAAAA"


class SecretDecryptError(RuntimeError):
    """A stored secret was encrypted with a key that is no longer configured."""


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(current_app.config["ENCRYPTION_KEYS"]))


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(_TOKEN_PREFIX)


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode()


def reveal(stored: str | None) -> str | None:
    """Plaintext of a stored secret; values written unencrypted (by SQL) are returned as they are."""
    if not stored:
        return None
    if not is_encrypted(stored):
        return stored
    try:
        return _current().decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise SecretDecryptError("stored secret cannot be decrypted with ENCRYPTION_KEYS") from exc


def rotate(stored: str | None) -> str | None:
    """Re-encrypt a stored secret with the first key (plaintext gets encrypted too)."""
    if not stored:
        return stored
    if not is_encrypted(stored):
        return encrypt(stored)
    try:
        return _current().rotate(stored.encode()).decode()
    except InvalidToken as exc:
        raise SecretDecryptError("stored secret cannot be decrypted with ENCRYPTION_KEYS") from exc
