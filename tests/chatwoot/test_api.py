"""The Chatwoot client against the simulator over real HTTP: typed results, every error class, retries, 429s."""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest

from app.chatwoot.client import ChatwootClient
from app.chatwoot.errors import (
    ChatwootAuthError,
    ChatwootNotFound,
    ChatwootRateLimited,
    ChatwootTransientError,
    ChatwootValidationError,
)
from tests.fixtures.simulator import ACCOUNT_ID, ADMIN_TOKEN

MINUTE_CLOCK = 60 * 16_667 + 40.0  # 40 s into a minute: the next window starts 20 s later


class Sleeps(list):
    """Records what the client would have slept, instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


def client_for(chatwoot, sleeps, token=ADMIN_TOKEN, account=ACCOUNT_ID, **kwargs) -> ChatwootClient:
    return ChatwootClient(chatwoot.url, account, token, sleep=sleeps, clock=lambda: MINUTE_CLOCK, **kwargs)


def test_typed_results_for_the_endpoints_the_product_uses(chatwoot, sleeps):
    api = client_for(chatwoot, sleeps)
    assert api.get_profile().role_in(str(ACCOUNT_ID)) == "administrator"
    inboxes = {inbox.id: inbox for inbox in api.list_inboxes()}
    assert inboxes[str(chatwoot.whatsapp_inbox_id)].is_whatsapp
    assert api.get_inbox(chatwoot.api_inbox_id).channel_type == "Channel::Api"
    contact = api.create_contact(name="María López", phone_number="+525512345678",
                                 custom_attributes={"plan": "oro"})
    assert contact.phone_number == "+525512345678" and contact.custom_attributes == {"plan": "oro"}
    updated = api.update_contact(contact.id, custom_attributes={"client_id": "c1"})
    assert updated.custom_attributes == {"plan": "oro", "client_id": "c1"}  # shallow merge, keys we own only
    assert api.get_contact(contact.id).name == "María López"
    assert [c.id for c in api.search_contacts("5512345678").contacts] == [contact.id]
    page = api.list_contacts(1)
    assert (page.count, page.has_more, [c.id for c in page.contacts]) == (1, False, [contact.id])
    conversation = api.create_conversation(inbox_id=chatwoot.api_inbox_id, contact_id=contact.id)
    assert conversation.inbox_id == str(chatwoot.api_inbox_id) and conversation.status == "open"
    message = api.create_message(conversation.id, "Hola")
    assert message.conversation_id == conversation.id and message.content == "Hola"
    assert [m.id for m in api.list_messages(conversation.id)] == [message.id]
    assert [c.id for c in api.contact_conversations(contact.id)] == [conversation.id]
    api.delete_contact_attributes(contact.id, ["client_id"])
    assert api.get_contact(contact.id).custom_attributes == {"plan": "oro"}
    api.create_attribute_definition("client_id", "Cliente", "text")
    assert [d["attribute_key"] for d in api.list_attribute_definitions()] == ["client_id"]


def test_listing_pages_by_fifteen(chatwoot, sleeps):
    for i in range(20):
        chatwoot.sim.add_contact(ACCOUNT_ID, name=f"C{i}", phone_number=f"+52551000{i:04d}")
    api = client_for(chatwoot, sleeps)
    first, second = api.list_contacts(1), api.list_contacts(2)
    assert (len(first.contacts), first.has_more, first.count) == (15, True, 20)
    assert (len(second.contacts), second.has_more) == (5, False)


@pytest.mark.parametrize(("token", "setup", "expected"), [
    ("wrong-token", None, "Invalid Access Token"),
    ("", None, "You need to sign in or sign up before continuing."),
    ("tok-other", "other_account", "You are not authorized to access this account"),
    ("tok-bot", "bot", "Access to this endpoint is not authorized for bots"),
])
def test_auth_failures_raise_auth_error_with_chatwoots_text(chatwoot, sleeps, token, setup, expected):
    if setup == "other_account":
        chatwoot.sim.add_account(account_id=2, name="Otra")
        chatwoot.sim.add_user(token=token, account_ids=[2])
    elif setup == "bot":
        chatwoot.sim.add_bot_token(token, ACCOUNT_ID)
    with pytest.raises(ChatwootAuthError) as caught:
        client_for(chatwoot, sleeps, token=token).list_contacts()
    assert (caught.value.status, caught.value.message) == (401, expected)
    assert sleeps == [], "auth errors are not retried"


def test_agent_outside_an_inbox_gets_the_policy_401(chatwoot, sleeps):
    chatwoot.sim.add_user(token="tok-agent", account_ids=[ACCOUNT_ID], role="agent")
    with pytest.raises(ChatwootAuthError, match="You are not authorized to do this action"):
        client_for(chatwoot, sleeps, token="tok-agent").get_inbox(chatwoot.api_inbox_id)


def test_not_found(chatwoot, sleeps):
    with pytest.raises(ChatwootNotFound) as caught:
        client_for(chatwoot, sleeps).get_contact(999)
    assert (caught.value.status, caught.value.message) == (404, "Resource could not be found")
    with pytest.raises(ChatwootNotFound):
        client_for(chatwoot, sleeps, account=77).list_contacts()


def test_validation_errors_carry_chatwoots_message_and_attributes(chatwoot, sleeps):
    api = client_for(chatwoot, sleeps)
    with pytest.raises(ChatwootValidationError) as caught:
        api.create_contact(name="Sin más", phone_number="55 1234 5678")
    assert caught.value.message == "Phone number should be in e164 format"
    assert caught.value.attributes == ["phone_number"] and not caught.value.already_taken
    api.create_contact(name="Uno", phone_number="+525512345678")
    with pytest.raises(ChatwootValidationError) as caught:
        api.create_contact(name="Dos", phone_number="+525512345678")
    assert caught.value.message == "Phone number has already been taken" and caught.value.already_taken
    with pytest.raises(ChatwootValidationError, match="Specify search string with parameter q"):
        api.search_contacts("")
    assert sleeps == []


def test_429_waits_for_the_next_minute_window_then_succeeds(chatwoot, sleeps):
    chatwoot.sim.rate_limit_next(1)
    api = client_for(chatwoot, sleeps)
    assert api.list_contacts().count == 0
    assert len(sleeps) == 1 and 20.2 <= sleeps[0] <= 21.0  # 20 s to the boundary plus a little jitter
    assert api.stats.rate_limited == 1
    assert [r.status for r in chatwoot.sim.request_log] == [429, 200]


def test_persistent_429_raises_rate_limited_after_bounded_waits(chatwoot, sleeps):
    chatwoot.sim.rate_limit_next(10)
    api = client_for(chatwoot, sleeps)
    with pytest.raises(ChatwootRateLimited) as caught:
        api.list_contacts()
    assert caught.value.status == 429 and caught.value.retryable
    assert len(sleeps) == api.rate_limit_waits == 2
    assert chatwoot.sim.count("GET", "/contacts") == 3


def test_search_limit_of_the_account_is_a_429_too(chatwoot, sleeps):
    chatwoot.sim.search_limit_per_minute = 2
    api = client_for(chatwoot, sleeps, rate_limit_waits=0)
    api.search_contacts("55")
    api.search_contacts("55")
    with pytest.raises(ChatwootRateLimited):
        api.search_contacts("55")
    assert api.stats.searches == 3


def test_server_errors_are_retried_with_backoff_then_succeed(chatwoot, sleeps):
    chatwoot.sim.fail_next(2, status=500)
    api = client_for(chatwoot, sleeps)
    assert api.get_profile().name == "Carlos Ruiz"
    assert api.stats.retries == 2
    assert 0 <= sleeps[0] <= api.backoff * 2 and 0 <= sleeps[1] <= api.backoff * 4
    assert chatwoot.sim.count(path_contains="/profile") == 3


def test_server_errors_forever_give_a_transient_error_after_bounded_retries(chatwoot, sleeps):
    chatwoot.sim.fail_next(100, status=503)
    api = client_for(chatwoot, sleeps, retries=3)
    with pytest.raises(ChatwootTransientError) as caught:
        api.list_inboxes()
    assert caught.value.status == 503 and caught.value.retryable and not caught.value.maybe_applied
    assert chatwoot.sim.count("GET", "/inboxes") == 4 and len(sleeps) == 3


def test_connection_refused_is_transient_and_never_applied(chatwoot, sleeps):
    chatwoot.server.stop()
    api = client_for(chatwoot, sleeps, retries=2)
    with pytest.raises(ChatwootTransientError) as caught:
        api.create_contact(name="Nadie", phone_number="+525512345678")
    assert "could not connect" in caught.value.message and not caught.value.maybe_applied
    assert len(sleeps) == 2, "a request that never reached Chatwoot is safe to repeat"


def test_read_timeout_on_post_may_have_been_applied_and_is_not_repeated(chatwoot, sleeps):
    chatwoot.sim.set_latency(0.6, path_contains="/contacts")
    api = client_for(chatwoot, sleeps, timeout=0.2)
    with pytest.raises(ChatwootTransientError) as caught:
        api.create_contact(name="Lenta", phone_number="+525512345678")
    assert caught.value.maybe_applied and "timed out" in caught.value.message
    assert sleeps == []
    time.sleep(0.7)
    assert [c["phone_number"] for c in chatwoot.sim.contacts(ACCOUNT_ID)] == ["+525512345678"], "it was applied"
    assert chatwoot.sim.count("POST", "/contacts") == 1


def test_read_timeout_on_get_is_retried(chatwoot, sleeps):
    chatwoot.sim.set_latency(0.4, path_contains="/contacts")
    api = client_for(chatwoot, sleeps, timeout=0.1, retries=1)
    with pytest.raises(ChatwootTransientError) as caught:
        api.list_contacts()
    assert not caught.value.maybe_applied and len(sleeps) == 1


def test_connection_dropped_after_a_post_was_sent_counts_as_maybe_applied(sleeps):
    """A server that reads the request and hangs up: the POST may have been applied, a GET is repeated."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    received = []

    def hang_up_on_everyone():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            received.append(connection.recv(65536).split(b" ", 1)[0])
            connection.close()

    threading.Thread(target=hang_up_on_everyone, daemon=True).start()
    try:
        api = ChatwootClient(f"http://127.0.0.1:{port}", 1, "tok", sleep=sleeps, retries=2)
        with pytest.raises(ChatwootTransientError) as caught:
            api.create_contact(name="X", phone_number="+525512345678")
        assert caught.value.maybe_applied and "dropped the connection" in caught.value.message
        with pytest.raises(ChatwootTransientError) as caught:
            api.list_contacts()
        assert not caught.value.maybe_applied
        assert received == [b"POST", b"GET", b"GET", b"GET"]
    finally:
        listener.close()


def test_the_token_never_appears_in_logs_or_errors(chatwoot, sleeps, caplog, app, wired_tenant):
    from app.chatwoot.settings import require_settings

    secret = "tok-very-secret-4f1c9e"
    chatwoot.sim.add_user(token=secret, account_ids=[ACCOUNT_ID])
    caplog.set_level(logging.DEBUG)
    api = client_for(chatwoot, sleeps, token=secret, timeout=0.2, retries=1, rate_limit_waits=1)
    texts = []
    chatwoot.sim.rate_limit_next(5)
    chatwoot.sim.fail_next(1, status=500, path_contains="/inboxes")
    for call in (api.list_contacts, lambda: api.get_contact(999), api.list_inboxes,
                 lambda: api.create_contact(name="x", phone_number="bad"),
                 lambda: client_for(chatwoot, sleeps, token=secret + "x").get_profile()):
        try:
            call()
        except Exception as exc:  # every kind of failure: its text and body must not carry the token
            texts += [str(exc), repr(exc), str(getattr(exc, "body", ""))]
    chatwoot.sim.set_latency(0.5, path_contains="/contacts")
    with pytest.raises(ChatwootTransientError) as caught:
        api.create_contact(name="y", phone_number="+525500000000")
    texts.append(str(caught.value))
    settings = require_settings(wired_tenant.id)
    texts += [repr(settings), str(settings)]
    assert len(texts) >= 12 and "GET /api/v1/accounts/1/contacts" in caplog.text
    for text in [*texts, caplog.text]:
        assert secret not in text and ADMIN_TOKEN not in text
