"""Secrets at rest: MultiFernet with rotation (the first key encrypts, every key decrypts).

A stored secret is `enc:v1:<Fernet token>`; anything without that prefix is plaintext written
straight by SQL. The prefix, not the look of the value, decides: a secret that happens to look
like a Fernet token ("gAAAAA...") is still a secret and gets encrypted like any other.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

PREFIX = "enc:v1:"


class SecretDecryptError(RuntimeError):
    """A stored secret was encrypted with a key that is no longer configured."""


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet_for(keys: list[str] | tuple[str, ...]) -> MultiFernet:
    """The MultiFernet for these keys (migrations pass the app's keys explicitly)."""
    return _fernet(tuple(keys))


def _current() -> MultiFernet:
    return fernet_for(current_app.config["ENCRYPTION_KEYS"])


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)


def encrypt(plaintext: str) -> str:
    return PREFIX + _current().encrypt(plaintext.encode()).decode()


def _decrypt(stored: str) -> str:
    try:
        return _current().decrypt(stored[len(PREFIX):].encode()).decode()
    except (InvalidToken, UnicodeDecodeError) as exc:
        raise SecretDecryptError("stored secret cannot be decrypted with ENCRYPTION_KEYS") from exc


def reveal(stored: str | None) -> str | None:
    """Plaintext of a stored secret; values written unencrypted (by SQL) are returned as they are."""
    if not stored:
        return None
    return _decrypt(stored) if is_encrypted(stored) else stored


def is_readable(stored: str | None) -> bool:
    """False only for an encrypted value no configured key opens (the user must re-enter it)."""
    try:
        reveal(stored)
    except SecretDecryptError:
        return False
    return True


def rotate(stored: str | None) -> str | None:
    """Re-encrypt a stored secret with the first key (plaintext gets encrypted too)."""
    if not stored:
        return stored
    if not is_encrypted(stored):
        return encrypt(stored)
    try:
        return PREFIX + _current().rotate(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise SecretDecryptError("stored secret cannot be decrypted with ENCRYPTION_KEYS") from exc
