"""A secret no configured key decrypts: the settings page asks to re-enter it, webhooks answer 503."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from app.crypto import PREFIX
from app.extensions import db
from tests.fixtures.webhooks import SEED_PAYLOAD, configure, event_count, post

LOST_KEY_VALUE = PREFIX + Fernet(Fernet.generate_key()).encrypt(b"whsec-lost").decode()


@pytest.fixture
def locked_out(tenant):
    configure(tenant.id, secret=None)
    db.session.execute(text("UPDATE chatwoot_configs SET webhook_secret = :v, api_access_token = :v "
                            "WHERE tenant_id = :t"), {"v": LOST_KEY_VALUE, "t": tenant.id})
    db.session.commit()
    db.session.expire_all()
    return tenant


def test_settings_page_asks_to_re_enter_the_values(admin, locked_out):
    page = admin.get("/t/uno/settings/")
    assert page.status_code == 200
    assert page.text.count("vuelve a introducir este valor") == 2  # the token and the webhook secret


def test_settings_page_in_english(admin, locked_out):
    admin.post("/language", {"lang": "en"})
    page = admin.get("/t/uno/settings/")
    assert page.status_code == 200 and "re-enter this value" in page.text


@pytest.mark.parametrize("url", ["/api/webhooks/chatwoot", "token"])
def test_webhooks_answer_503(app, locked_out, url):
    if url == "token":
        token = db.session.execute(text("SELECT webhook_token FROM chatwoot_configs")).scalar()
        url = f"/api/webhooks/chatwoot/{token}"
    response = post(app.test_client(), {**SEED_PAYLOAD, "account": {"id": 1}}, url=url, secret="whsec-lost")
    assert response.status_code == 503 and response.json["code"] == "secret_unreadable"
    assert event_count() == 0


def test_re_entering_the_value_restores_webhooks(app, admin, locked_out):
    page = admin.get("/t/uno/settings/")
    assert "vuelve a introducir este valor" in page.text
    from app.chatwoot.settings import update_credentials

    update_credentials(locked_out.id, webhook_secret="whsec-new")
    db.session.commit()
    response = post(app.test_client(), {**SEED_PAYLOAD, "account": {"id": 1}}, secret="whsec-new")
    assert response.status_code == 200 and response.json["status"] == "accepted"
