"""Fixtures for the attack tests."""

from __future__ import annotations

import threading

import pytest


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash the login verifies, whichever thread verifies it."""
    import app.models.user as user_module

    checks, lock, real = [], threading.Lock(), user_module.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        with lock:
            checks.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(user_module, "check_password_hash", counting)
    return checks
