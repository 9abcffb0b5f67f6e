"""The only module that speaks HTTP to Chatwoot: one small method per endpoint, typed results.

Every call has a timeout. Transient failures (5xx, connection errors) are retried a bounded number of
times with exponential backoff and full jitter. A 429 carries no Retry-After and Chatwoot's windows
are fixed per minute, so we wait for the next minute boundary. The token is sent in a header and
never appears in logs or error messages. It goes only to the configured origin: redirects are never
followed (a 3xx is an error naming the new location), and with CHATWOOT_ALLOW_PRIVATE_NETWORK off
every connection is checked on the address it really uses (app/outbound.py). Chatwoot's own words in
an error are cut to a 200-character excerpt, since pages show them.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from app.chatwoot.destinations import chatwoot_refusal
from app.chatwoot.errors import (
    ChatwootAuthError,
    ChatwootError,
    ChatwootNotFound,
    ChatwootRateLimited,
    ChatwootRedirect,
    ChatwootTransientError,
    ChatwootValidationError,
)
from app.chatwoot.settings import ChatwootSettings, require_settings
from app.chatwoot.types import Contact, ContactPage, Conversation, Inbox, Message, Profile
from app.outbound import DestinationRefused, PublicOnlyAdapter, allow_private_network, excerpt

log = logging.getLogger("chatwoot.api")
IDEMPOTENT = {"GET", "PUT", "PATCH", "DELETE"}


@dataclass
class CallStats:
    """What a client did: counted for sync reports and tests (e.g. searches stay under 100/min)."""

    calls: int = 0
    searches: int = 0
    retries: int = 0
    rate_limited: int = 0
    by_path: dict[str, int] = field(default_factory=dict)


def _error_text(body: Any, fallback: str) -> str:
    """Chatwoot's own error text, as an excerpt: it may reach a page."""
    if isinstance(body, dict):
        if body.get("message"):
            return excerpt(body["message"])
        if body.get("error"):
            return excerpt(body["error"])
        if body.get("errors"):
            return excerpt("; ".join(map(str, body["errors"])))
    return fallback


def _never_sent(exc: requests.RequestException) -> bool:
    """Connection refused, DNS failure or connect timeout: the request never reached Chatwoot."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)


class ChatwootClient:
    """Calls to one Chatwoot account with one token. Cheap to build; build one per job or thread."""

    def __init__(self, api_url: str, account_id: str | int, token: str, *, timeout: float = 10.0,
                 retries: int = 3, backoff: float = 0.5, rate_limit_waits: int = 2,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 allow_private: bool | None = None):
        self.base = api_url.rstrip("/")
        self.account_id = str(account_id)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.rate_limit_waits = rate_limit_waits
        self.sleep, self.clock = sleep, clock
        self.stats = CallStats()
        self._session = requests.Session()
        self._session.headers.update({"api_access_token": token, "Accept": "application/json"})
        if not (allow_private_network() if allow_private is None else allow_private):
            # No proxy from the environment either: the address we check must be the one we connect to.
            self._session.trust_env = False
            for scheme in ("http://", "https://"):
                self._session.mount(scheme, PublicOnlyAdapter())

    @classmethod
    def from_settings(cls, settings: ChatwootSettings, **kwargs) -> ChatwootClient:
        from flask import current_app, has_app_context

        if has_app_context():
            kwargs.setdefault("timeout", current_app.config.get("CHATWOOT_TIMEOUT", 10.0))
        return cls(settings.api_url, settings.account_id, settings.api_token, **kwargs)

    def close(self) -> None:
        self._session.close()

    # -- transport -------------------------------------------------------------------------

    def _url(self, path: str, account: bool) -> str:
        prefix = f"/api/v1/accounts/{self.account_id}" if account else "/api/v1"
        return f"{self.base}{prefix}{path}"

    def _request(self, method: str, path: str, *, params=None, json=None, account: bool = True) -> Any:
        url = self._url(path, account)
        transient_tries, limited_waits = 0, 0
        while True:
            self.stats.calls += 1
            self.stats.by_path[path.split("?")[0]] = self.stats.by_path.get(path.split("?")[0], 0) + 1
            try:
                response = self._session.request(method, url, params=params, json=json, timeout=self.timeout,
                                                 allow_redirects=False)
            except DestinationRefused as exc:
                raise chatwoot_refusal(exc) from None
            except requests.RequestException as exc:
                error = self._transport_error(method, exc)
            else:
                if response.status_code < 300:
                    return self._json(response)
                error = self._http_error(response)
            if isinstance(error, ChatwootRateLimited) and limited_waits < self.rate_limit_waits:
                limited_waits += 1
                self._wait_next_minute()
                continue
            if isinstance(error, ChatwootTransientError) and not error.maybe_applied \
                    and transient_tries < self.retries:
                transient_tries += 1
                self.stats.retries += 1
                self.sleep(random.uniform(0, self.backoff * 2 ** transient_tries))
                continue
            raise error

    def _transport_error(self, method: str, exc: requests.RequestException) -> ChatwootError:
        # A connect failure never reached Chatwoot; a read timeout or a dropped connection on a POST
        # might have been applied, so repeating it could duplicate a contact or a message.
        reached = not _never_sent(exc)
        kind = "timed out" if isinstance(exc, requests.Timeout) else (
            "dropped the connection" if reached else "could not connect")
        log.warning("chatwoot %s %s: %s", method, kind, type(exc).__name__)
        return ChatwootTransientError(f"Chatwoot {kind} ({type(exc).__name__})",
                                      maybe_applied=reached and method not in IDEMPOTENT)

    def _http_error(self, response: requests.Response) -> ChatwootError:
        status = response.status_code
        if 300 <= status < 400:
            location = excerpt(response.headers.get("Location") or "(no Location header)")
            return ChatwootRedirect(f"Chatwoot answered {status} redirecting to {location}; redirects are not "
                                    "followed: if that is the right address, save it as the API URL", status, location)
        body = self._json(response, strict=False)
        text = _error_text(body, f"HTTP {status}")
        if status == 429:
            self.stats.rate_limited += 1
            return ChatwootRateLimited("Chatwoot rate limit reached (429); waited for the next minute",
                                       status, body)
        if status in (401, 403):
            return ChatwootAuthError(text, status, body)
        if status == 404:
            return ChatwootNotFound(text, status, body)
        if status in (400, 422):
            attributes = body.get("attributes") if isinstance(body, dict) else None
            return ChatwootValidationError(text, status, body, attributes)
        if status >= 500:
            return ChatwootTransientError(f"Chatwoot answered {status}", status, body)
        return ChatwootError(text, status, body)

    @staticmethod
    def _json(response: requests.Response, strict: bool = True) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            if strict:
                raise ChatwootTransientError(f"Chatwoot answered {response.status_code} with a body that "
                                             "is not JSON (is the API URL right?)", response.status_code) from None
            return response.text

    def _wait_next_minute(self) -> None:
        now = self.clock()
        self.sleep(60 - (now % 60) + random.uniform(0.2, 1.0))

    # -- endpoints --------------------------------------------------------------------------

    def get_profile(self) -> Profile:
        data = self._request("GET", "/profile", account=False)
        if not isinstance(data, dict):
            raise ChatwootError("Chatwoot's answer to /api/v1/profile is not a user (is the API URL right?)")
        accounts = data.get("accounts") if isinstance(data.get("accounts"), list) else []
        return Profile(id=str(data.get("id")), name=excerpt(data.get("name") or ""),
                       accounts=[account for account in accounts if isinstance(account, dict)])

    def list_inboxes(self) -> list[Inbox]:
        return [Inbox.from_api(i) for i in self._request("GET", "/inboxes").get("payload", [])]

    def get_inbox(self, inbox_id: str | int) -> Inbox:
        return Inbox.from_api(self._request("GET", f"/inboxes/{inbox_id}"))

    def list_contacts(self, page: int = 1) -> ContactPage:
        data = self._request("GET", "/contacts", params={"page": page})
        contacts = [Contact.from_api(c) for c in data.get("payload", [])]
        count = int((data.get("meta") or {}).get("count") or 0)
        return ContactPage(contacts, count, has_more=page * 15 < count)

    def search_contacts(self, query: str, page: int = 1) -> ContactPage:
        self.stats.searches += 1
        data = self._request("GET", "/contacts/search", params={"q": query, "page": page})
        meta = data.get("meta") or {}
        contacts = [Contact.from_api(c) for c in data.get("payload", [])]
        return ContactPage(contacts, int(meta.get("count") or 0), bool(meta.get("has_more")))

    def create_contact(self, *, name: str, phone_number: str | None = None, email: str | None = None,
                       identifier: str | None = None, inbox_id: str | int | None = None,
                       custom_attributes: dict | None = None) -> Contact:
        body = {k: v for k, v in {"name": name, "phone_number": phone_number, "email": email,
                                  "identifier": identifier, "inbox_id": inbox_id,
                                  "custom_attributes": custom_attributes}.items() if v not in (None, {})}
        data = self._request("POST", "/contacts", json=body)
        return Contact.from_api(data["payload"]["contact"])

    def get_contact(self, contact_id: str | int) -> Contact:
        return Contact.from_api(self._request("GET", f"/contacts/{contact_id}")["payload"])

    def update_contact(self, contact_id: str | int, **fields) -> Contact:
        """PUT only the given fields; custom_attributes are merged by Chatwoot (keys we own only)."""
        return Contact.from_api(self._request("PUT", f"/contacts/{contact_id}", json=fields)["payload"])

    def delete_contact_attributes(self, contact_id: str | int, keys: list[str]) -> None:
        self._request("POST", f"/contacts/{contact_id}/destroy_custom_attributes",
                      json={"custom_attributes": keys})

    def contact_conversations(self, contact_id: str | int) -> list[Conversation]:
        data = self._request("GET", f"/contacts/{contact_id}/conversations")
        return [Conversation.from_api(c) for c in data.get("payload", [])]

    def create_contact_inbox(self, contact_id: str | int, inbox_id: str | int,
                             source_id: str | None = None) -> dict:
        body = {"inbox_id": int(inbox_id), **({"source_id": source_id} if source_id else {})}
        return self._request("POST", f"/contacts/{contact_id}/contact_inboxes", json=body)

    def create_conversation(self, *, inbox_id: str | int, contact_id: str | int,
                            source_id: str | None = None, status: str | None = None) -> Conversation:
        body = {"inbox_id": int(inbox_id), "contact_id": int(contact_id)}
        body.update({k: v for k, v in {"source_id": source_id, "status": status}.items() if v})
        return Conversation.from_api(self._request("POST", "/conversations", json=body))

    def get_conversation(self, conversation_id: str | int) -> Conversation:
        return Conversation.from_api(self._request("GET", f"/conversations/{conversation_id}"))

    def create_message(self, conversation_id: str | int, content: str, *,
                       template_params: dict | None = None, private: bool = False) -> Message:
        body: dict[str, Any] = {"content": content, "message_type": "outgoing", "private": private}
        if template_params:
            body["template_params"] = template_params
        return Message.from_api(self._request("POST", f"/conversations/{conversation_id}/messages", json=body))

    def list_messages(self, conversation_id: str | int) -> list[Message]:
        data = self._request("GET", f"/conversations/{conversation_id}/messages")
        return [Message.from_api(m) for m in data.get("payload", [])]

    def list_agents(self) -> list[dict]:
        """The account's agents: id, name, available_name, email, role, availability_status."""
        data = self._request("GET", "/agents")
        return data if isinstance(data, list) else []

    def list_teams(self) -> list[dict]:
        """The account's teams: id, name (for a default team to assign conversations to)."""
        data = self._request("GET", "/teams")
        return data if isinstance(data, list) else []

    def assign_conversation(self, conversation_id: str | int, *, assignee_id: int | None = None,
                            team_id: int | None = None) -> dict | None:
        """Assign to an agent (or, given only team_id, a team); Chatwoot answers the assignee or null."""
        body = {"assignee_id": assignee_id} if assignee_id is not None else {"team_id": team_id}
        return self._request("POST", f"/conversations/{conversation_id}/assignments", json=body)

    def list_canned_responses(self) -> list[dict]:
        data = self._request("GET", "/canned_responses")
        return data if isinstance(data, list) else []

    def create_canned_response(self, short_code: str, content: str) -> dict:
        return self._request("POST", "/canned_responses", json={"short_code": short_code, "content": content})

    def update_canned_response(self, canned_id: str | int, content: str) -> dict:
        return self._request("PATCH", f"/canned_responses/{canned_id}", json={"content": content})

    def delete_canned_response(self, canned_id: str | int) -> None:
        self._request("DELETE", f"/canned_responses/{canned_id}")

    def list_attribute_definitions(self) -> list[dict]:
        data = self._request("GET", "/custom_attribute_definitions", params={"attribute_model": "contact_attribute"})
        return data if isinstance(data, list) else []

    def create_attribute_definition(self, key: str, display_name: str, display_type: str,
                                    description: str = "") -> dict:
        return self._request("POST", "/custom_attribute_definitions", json={
            "attribute_display_name": display_name, "attribute_key": key, "attribute_model": "contact_attribute",
            "attribute_display_type": display_type, "attribute_description": description})


def client_for_tenant(tenant_id: str, **kwargs) -> ChatwootClient:
    """A client for the tenant's effective settings; ChatwootConfigError names what is missing."""
    return ChatwootClient.from_settings(require_settings(tenant_id), **kwargs)
