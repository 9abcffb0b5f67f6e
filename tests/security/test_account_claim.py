"""Attack: a salon's staff claims another salon's Chatwoot account (and so its webhooks).

Salon "dos" (the victim) owns Chatwoot account 1 and signs its webhooks; salon "uno" (the attacker,
logged in as its staff user) holds a token of its own account 2 only. Every save of an account id,
API URL or token is proven with Chatwoot's /api/v1/profile, so the claim is refused and nothing changes.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import select, text

from app.chatwoot.client import ChatwootClient
from app.crypto import reveal
from app.extensions import db
from app.models import AuditLog, NotificationSettings, WebhookEvent
from tests.fixtures.simulator import ACCOUNT_ID, ADMIN_TOKEN
from tests.fixtures.webhooks import SECRET, configure, example, post

ATTACKER_TOKEN = "tok-attacker-account-2"


@pytest.fixture
def victim(other_tenant, chatwoot):
    """Salon "dos": account 1 of the simulator, its admin token, signing with SECRET."""
    configure(other_tenant.id, account_id=str(ACCOUNT_ID), chatwoot_api_url=chatwoot.url,
              chatwoot_api_token=ADMIN_TOKEN)
    return other_tenant


@pytest.fixture
def attacker_account(chatwoot):
    chatwoot.sim.add_account(account_id=2, name="Salón del atacante")
    chatwoot.sim.add_user(token=ATTACKER_TOKEN, account_ids=[2], role="administrator", name="Atacante")
    return 2


def own_settings(tenant) -> NotificationSettings:
    db.session.expire_all()
    return db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))


def claim(url, account, inbox="", token=""):
    return {"api_url": url, "account_id": str(account), "inbox_id": str(inbox), "token": token}


def victims_delivery_lands_with_the_victim(http, victim) -> None:
    payload = example("message_created_incoming.json")
    response = post(http, payload, secret=SECRET)
    assert response.status_code == 200, response.text
    event = db.session.get(WebhookEvent, response.get_json()["event_id"])
    assert (event.tenant_id, event.signed) == (victim.id, True)


def test_claiming_the_victims_account_with_the_attackers_token_is_refused(app, staff, tenant, victim, chatwoot,
                                                                           attacker_account):
    response = staff.post("/t/uno/settings/credentials", claim(chatwoot.url, ACCOUNT_ID, chatwoot.api_inbox_id,
                                                                token=ATTACKER_TOKEN))
    assert response.status_code == 422
    assert "No se guardó" in response.text
    assert "El usuario del token (Atacante) no es miembro de la cuenta 1 de Chatwoot" in response.text
    mine = own_settings(tenant)
    assert (mine.chatwoot_api_url, mine.chatwoot_account_id, mine.chatwoot_inbox_id, mine.chatwoot_api_token) == (
        None, None, None, None)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "settings.credentials")) is None
    victims_delivery_lands_with_the_victim(app.test_client(), victim)


def test_switching_only_the_account_id_to_the_victims_is_refused(app, staff, tenant, victim, chatwoot,
                                                                  attacker_account):
    own = staff.post("/t/uno/settings/credentials", claim(chatwoot.url, attacker_account, token=ATTACKER_TOKEN))
    assert own.status_code == 302  # the attacker's own account is proven and saved
    response = staff.post("/t/uno/settings/credentials", claim(chatwoot.url, ACCOUNT_ID))
    assert response.status_code == 422 and "no es miembro de la cuenta 1 de Chatwoot" in response.text
    mine = own_settings(tenant)
    assert mine.chatwoot_account_id == "2" and reveal(mine.chatwoot_api_token) == ATTACKER_TOKEN
    victims_delivery_lands_with_the_victim(app.test_client(), victim)  # not 404 ambiguous_account


def test_claiming_an_account_without_any_token_is_refused(staff, tenant, victim, chatwoot):
    response = staff.post("/t/uno/settings/credentials", claim("", ACCOUNT_ID))
    assert response.status_code == 422 and "no se puede comprobar sin la URL de la API y el token" in response.text
    assert own_settings(tenant).chatwoot_account_id is None


def test_the_cli_refuses_the_same_claim_and_changes_nothing(app, tenant, victim, chatwoot, attacker_account):
    result = app.test_cli_runner().invoke(args=["chatwoot", "configure", "uno", "--api-url", chatwoot.url,
                                                "--account-id", "1", "--token-stdin"], input=f"{ATTACKER_TOKEN}\n")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: nothing saved: The token's user (Atacante) is not a member of "
                                    "Chatwoot account 1")
    assert own_settings(tenant).chatwoot_account_id is None


def test_no_answer_in_time_refuses_the_save(app, staff, tenant, chatwoot):
    app.config["CHATWOOT_TIMEOUT"] = 0.3
    chatwoot.sim.set_latency(0.8, path_contains="/profile")
    response = staff.post("/t/uno/settings/credentials", claim(chatwoot.url, ACCOUNT_ID, token=ADMIN_TOKEN))
    assert response.status_code == 422
    assert "Chatwoot no respondió en 0.3 s, así que no se pudo comprobar la cuenta" in response.text
    time.sleep(0.8)  # the simulator logs a request once it has answered it
    assert chatwoot.sim.count("GET", "/profile") == 1  # one call, no retries
    assert own_settings(tenant).chatwoot_api_token is None


def test_a_proven_claim_is_saved_and_chatwoot_is_asked_with_no_write_transaction_open(
        app, staff, tenant, chatwoot, monkeypatch):
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    writable_during_call = []
    real = ChatwootClient.get_profile

    def probe(self):
        other = sqlite3.connect(database, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails with "database is locked" if the request holds a write lock
            other.rollback()
            writable_during_call.append(True)
        except sqlite3.OperationalError:
            writable_during_call.append(False)
        finally:
            other.close()
        return real(self)

    monkeypatch.setattr(ChatwootClient, "get_profile", probe)
    # A tenant made by SQL without its chatwoot_configs row: this save inserts it, after asking Chatwoot.
    db.session.execute(text("DELETE FROM chatwoot_configs WHERE tenant_id = :t"), {"t": tenant.id})
    db.session.commit()
    response = staff.post("/t/uno/settings/credentials", claim(chatwoot.url, ACCOUNT_ID, chatwoot.api_inbox_id,
                                                                token=ADMIN_TOKEN))
    assert response.status_code == 302 and writable_during_call == [True]
    mine = own_settings(tenant)
    assert (mine.chatwoot_account_id, reveal(mine.chatwoot_api_token)) == ("1", ADMIN_TOKEN)
    assert "Chatwoot confirmó la cuenta 1 (administrator)" in staff.get("/t/uno/settings/").text
