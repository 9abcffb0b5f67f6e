"""Private pages are never cached, production pins HTTPS, and X-Forwarded-* is believed only from
the configured number of proxies."""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import select

from app.extensions import db
from app.models import LoginFailure
from tests.conftest import Browser, dispose_engines, make_app

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "citas.example.com", "X-Forwarded-Port": "443"}


@pytest.mark.parametrize("url", ["/t/uno/", "/admin/"])
def test_logged_in_pages_are_no_store(admin, tenant, url):
    response = admin.get(url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_static_files_and_anonymous_pages_stay_cacheable(app, admin):
    with admin.get("/static/css/app.css") as static:
        assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
    assert "no-store" not in app.test_client().get("/login").headers.get("Cache-Control", "")


def test_hsts_only_in_production(app, tmp_path):
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    production = make_app(tmp_path, ENV_NAME="production")
    assert production.test_client().get("/login").headers["Strict-Transport-Security"] \
        == "max-age=31536000; includeSubDomains"


def _seen(app) -> dict:
    @app.get("/_seen")
    def seen():
        return {"addr": request.remote_addr, "url": request.url}

    return app.test_client().get("/_seen", headers=FORWARDED).get_json()


def test_forwarded_headers_are_ignored_without_trusted_proxies(tmp_path):
    assert _seen(make_app(tmp_path)) == {"addr": "127.0.0.1", "url": "http://localhost/_seen"}


def test_forwarded_headers_are_believed_from_one_trusted_proxy(tmp_path):
    seen = _seen(make_app(tmp_path, TRUSTED_PROXIES=1))
    assert seen == {"addr": "203.0.113.7", "url": "https://citas.example.com/_seen"}


def test_only_the_trusted_hops_count(tmp_path):
    """A client's own X-Forwarded-For entry is not believed: the proxy appends the real address."""
    app = make_app(tmp_path, TRUSTED_PROXIES=1)
    with app.app_context():
        db.create_all()
        browser = Browser(app)
        browser.http.environ_base["HTTP_X_FORWARDED_FOR"] = "10.9.9.9, 198.51.100.4"
        assert browser.login("nobody@example.com", "wrong password!").status_code == 401
        assert db.session.scalar(select(LoginFailure.remote_addr)) == "198.51.100.4"
        db.session.remove()
        dispose_engines()
