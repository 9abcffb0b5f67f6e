"""Attack: make the server send the stored Chatwoot token anywhere (loopback, metadata service…).

A staff user points the API URL at another host, leaves the token field empty and presses «Probar
conexión». The stored token never goes to a new origin; with CHATWOOT_ALLOW_PRIVATE_NETWORK off no
call reaches a loopback, private or link-local address, checked on the address the connection uses;
and a page shows at most an escaped 200-character excerpt of what the other side answered.
"""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from app.crypto import reveal
from app.extensions import db
from app.models import NotificationSettings
from tests.fixtures.simulator import ACCOUNT_ID, ADMIN_TOKEN

HX = {"HX-Request": "true"}
LISTENER_TOKEN = "tok-for-the-listener"
MARKUP = "<img src=x onerror=alert(1)>"


def own_settings(tenant) -> NotificationSettings:
    db.session.expire_all()
    return db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))


def point_at(tenant, url: str, token: str = LISTENER_TOKEN) -> None:
    """Credentials written straight into the database, as the seed's SQL does (no proof involved)."""
    settings = own_settings(tenant)
    settings.chatwoot_api_url, settings.chatwoot_api_token = url, token
    settings.chatwoot_account_id, settings.chatwoot_inbox_id = str(ACCOUNT_ID), "1"
    db.session.commit()


def private_network(app, allowed: bool) -> None:
    app.config["CHATWOOT_ALLOW_PRIVATE_NETWORK"] = allowed


@pytest.mark.parametrize("host", ["LISTENER", "http://0x7f000001:PORT", "http://169.254.169.254"])
def test_a_new_url_without_the_token_is_refused_and_the_check_stays_with_the_configured_origin(
        staff, wired_tenant, chatwoot, listen, host):
    listener = listen()
    url = listener.url if host == "LISTENER" else host.replace("PORT", str(listener.server.server_port))
    response = staff.post("/t/uno/settings/credentials", {"api_url": url, "account_id": str(ACCOUNT_ID),
                                                          "inbox_id": str(chatwoot.api_inbox_id), "token": ""})
    assert response.status_code == 422 and "Una dirección nueva de Chatwoot necesita su token" in response.text
    assert own_settings(wired_tenant).chatwoot_api_url == chatwoot.url
    check = staff.post("/t/uno/settings/check", headers=HX)
    assert "Conexión correcta" in check.text
    assert listener.seen == []
    assert chatwoot.sim.count("GET", "/profile") == 1


def test_with_private_network_allowed_the_call_goes_only_to_the_configured_origin(app, staff, tenant, listen):
    private_network(app, True)
    listener = listen()
    listener.answer(401, {"error": MARKUP + "A" * 1000})
    point_at(tenant, listener.url)
    check = staff.post("/t/uno/settings/check", headers=HX)
    assert [request["path"] for request in listener.seen] == ["/api/v1/profile"]
    assert listener.tokens() == [LISTENER_TOKEN]
    assert "No se pudo conectar" in check.text
    assert MARKUP not in check.text and "&lt;img src=x onerror=alert(1)&gt;" in check.text
    assert "A" * 200 not in check.text and "A" * 150 in check.text  # an excerpt of at most 200 characters


def test_with_private_network_forbidden_the_call_is_refused_and_the_listener_sees_nothing(
        app, staff, tenant, listen):
    private_network(app, False)
    listener = listen()
    point_at(tenant, listener.url)
    check = staff.post("/t/uno/settings/check", headers=HX)
    assert "No se pudo conectar" in check.text
    assert "resolves to 127.0.0.1, a loopback, private, link-local or reserved address" in check.text
    assert listener.seen == []


@pytest.mark.parametrize("url", ["LISTENER", "http://0x7f000001:PORT", "http://169.254.169.254",
                                 "http://[::1]:PORT", "http://10.0.0.8"])
def test_with_private_network_forbidden_such_a_url_is_refused_when_saved(app, staff, tenant, listen, url):
    private_network(app, False)
    listener = listen()
    url = listener.url if url == "LISTENER" else url.replace("PORT", str(listener.server.server_port))
    response = staff.post("/t/uno/settings/credentials", {"api_url": url, "account_id": str(ACCOUNT_ID),
                                                          "inbox_id": "", "token": LISTENER_TOKEN})
    assert response.status_code == 422
    assert "a loopback, private, link-local or reserved address" in response.text
    assert own_settings(tenant).chatwoot_api_url is None and listener.seen == []


def test_a_dns_answer_that_changes_after_the_save_check_does_not_get_through(app, staff, tenant, listen,
                                                                             monkeypatch):
    private_network(app, False)
    listener = listen()
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])  # public when the save checks the URL, loopback when the call connects

    def rebinding(host, port, *args, **kwargs):
        if host != "chatwoot.rebind.test":
            return real(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://chatwoot.rebind.test:{listener.server.server_port}"
    response = staff.post("/t/uno/settings/credentials", {"api_url": url, "account_id": str(ACCOUNT_ID),
                                                          "inbox_id": "", "token": LISTENER_TOKEN})
    assert response.status_code == 422
    assert "chatwoot.rebind.test resolves to 127.0.0.1" in response.text
    assert listener.seen == [] and own_settings(tenant).chatwoot_api_token is None


def test_the_stored_token_goes_along_only_when_the_origin_is_unchanged(staff, wired_tenant, chatwoot):
    same_origin = chatwoot.url + "/"
    response = staff.post("/t/uno/settings/credentials", {"api_url": same_origin, "account_id": str(ACCOUNT_ID),
                                                          "inbox_id": "2", "token": ""})
    assert response.status_code == 302
    settings = own_settings(wired_tenant)
    assert (settings.chatwoot_inbox_id, reveal(settings.chatwoot_api_token)) == ("2", ADMIN_TOKEN)
