"""Attack: the configured Chatwoot answers 302 to another host, hoping the token follows the redirect.

Redirects are never followed: a 3xx is an error naming the new location, and the second host never
sees the token (nor any request).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.chatwoot.client import ChatwootClient
from app.chatwoot.errors import ChatwootRedirect
from app.extensions import db
from app.models import NotificationSettings

TOKEN = "tok-redirected"
HX = {"HX-Request": "true"}


@pytest.fixture
def redirecting(listen):
    """(first, second): the first listener answers 302 to the second."""
    first, second = listen(), listen()
    first.answer(302, {}, Location=f"{second.url}/api/v1/profile")
    return first, second


def test_the_client_raises_naming_the_location_and_the_second_host_sees_nothing(app, redirecting):
    first, second = redirecting
    api = ChatwootClient(first.url, 1, TOKEN, retries=3)
    with pytest.raises(ChatwootRedirect) as raised:
        api.get_profile()
    assert raised.value.location == f"{second.url}/api/v1/profile"
    assert f"redirecting to {second.url}/api/v1/profile" in raised.value.message
    assert first.tokens() == [TOKEN]  # once: a redirect is not retried either
    assert second.seen == []


def test_the_connection_check_reports_the_redirect_and_the_token_stays(app, staff, tenant, redirecting):
    first, second = redirecting
    settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
    settings.chatwoot_api_url, settings.chatwoot_api_token, settings.chatwoot_account_id = first.url, TOKEN, "1"
    settings.chatwoot_inbox_id = "1"
    db.session.commit()
    check = staff.post("/t/uno/settings/check", headers=HX)
    assert "No se pudo conectar" in check.text and "302 redirecting to" in check.text
    assert second.url in check.text and second.seen == []


def test_a_save_answered_by_a_redirect_is_refused(app, staff, tenant, redirecting):
    first, second = redirecting
    response = staff.post("/t/uno/settings/credentials", {"api_url": first.url, "account_id": "1", "inbox_id": "",
                                                          "token": TOKEN})
    assert response.status_code == 422 and "redirects are not followed" in response.text
    assert second.seen == []
