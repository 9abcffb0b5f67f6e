"""Fixtures for the attack tests: counted password checks, a booking-API client per tenant."""

from __future__ import annotations

import threading

import pytest

from app.extensions import db
from app.services.settings.api_keys import create_api_key


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


class Api:
    """The booking-system API as one tenant's key sees it."""

    def __init__(self, app, key: str):
        self.http = app.test_client()
        self.headers = {"Authorization": f"Bearer {key}"}

    def put(self, url, json=None, **kw):
        return self.http.put(url, json=json, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, url, json=None, **kw):
        return self.http.post(url, json=json, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def get(self, url):
        return self.http.get(url, headers=self.headers)


def api_for(app, tenant) -> Api:
    _key, plaintext = create_api_key(tenant, "tests")
    db.session.commit()
    return Api(app, plaintext)


@pytest.fixture
def api(app, tenant):
    return api_for(app, tenant)


@pytest.fixture
def other_api(app, other_tenant):
    return api_for(app, other_tenant)
