"""Attack: a tenant without a webhook secret that accepts unsigned deliveries takes another salon's
signed deliveries as its own (signed=0). A present X-Chatwoot-Signature must verify against the
receiving tenant's secret, whatever that tenant accepts; and only an administrator may turn on
unsigned deliveries.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db, huey
from app.models import ChatwootConfig, WebhookEvent
from tests.fixtures.webhooks import SECRET, URL, configure, event_count, example, post

INBOX = "1"


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.fixture
def victim(other_tenant):
    """Salon "dos" receives account 1's webhooks (no inbox of its own configured) and signs with SECRET."""
    configure(other_tenant.id, account_id="1")
    return other_tenant


def delivery():
    payload = example("message_created_incoming.json")
    payload["inbox"]["id"] = int(INBOX)
    return payload


def config_of(tenant) -> ChatwootConfig:
    db.session.expire_all()
    return db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))


def assert_refused(response, code: str) -> None:
    assert response.status_code == 401, response.text
    assert response.get_json()["code"] == code
    assert event_count() == 0 and huey.pending_count() == 0


def test_a_signed_delivery_is_not_taken_as_unsigned_by_a_tenant_without_a_secret(http, tenant, victim):
    # The attacker's claim as it stood before claims were proven: the victim's account and inbox, no secret.
    configure(tenant.id, account_id="1", secret=None, accept_unsigned=True, chatwoot_inbox_id=INBOX)
    assert_refused(post(http, delivery(), secret=SECRET), "unverifiable_signature")


def test_a_signed_delivery_must_verify_against_the_receivers_own_secret(http, tenant, victim):
    configure(tenant.id, account_id="1", secret="attackers-own-secret", accept_unsigned=True,
              chatwoot_inbox_id=INBOX)
    assert_refused(post(http, delivery(), secret=SECRET), "bad_signature")


def test_the_token_url_of_a_tenant_without_a_secret_refuses_signed_deliveries(http, tenant):
    config = configure(tenant.id, account_id="1", secret=None)
    response = post(http, delivery(), url=f"{URL}/{config.webhook_token}", secret=SECRET)
    assert_refused(response, "unverifiable_signature")


def test_unsigned_deliveries_still_work_where_an_administrator_allowed_them(http, tenant):
    configure(tenant.id, account_id="1", secret=None, accept_unsigned=True)
    response = post(http, delivery(), secret=None)
    assert response.status_code == 200
    event = db.session.get(WebhookEvent, response.get_json()["event_id"])
    assert (event.tenant_id, event.signed) == (tenant.id, False)


def test_staff_cannot_turn_on_unsigned_deliveries(staff, tenant):
    response = staff.post("/t/uno/settings/toggles", {"chatwoot_enabled": "y", "accept_unsigned": "y"})
    assert response.status_code == 403
    assert "Solo un administrador puede aceptar webhooks sin firma" in response.text
    config = config_of(tenant)
    assert config.accept_unsigned_webhooks is False
    page = staff.get("/t/uno/settings/").text
    assert 'disabled id="accept_unsigned"' in page
    assert "Solo un administrador puede activarlo" in page


def test_staff_may_turn_unsigned_deliveries_off_and_an_administrator_on(admin, staff, tenant):
    assert admin.post("/t/uno/settings/toggles", {"accept_unsigned": "y"}).status_code == 302
    assert config_of(tenant).accept_unsigned_webhooks is True
    assert staff.post("/t/uno/settings/toggles", {"chatwoot_enabled": "y"}).status_code == 302
    assert config_of(tenant).accept_unsigned_webhooks is False
