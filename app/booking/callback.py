"""POSTing a change to the salon's booking system, signed like Chatwoot signs its webhooks.

`X-CitaPlanner-Signature: sha256=HMAC-SHA256(secret, "<timestamp>.<body>")` with the Unix timestamp in
`X-CitaPlanner-Timestamp`, so the receiver can refuse stale or forged deliveries. The outbound rules of
INTERFACES §7 hold here too: redirects are never followed, and with CHATWOOT_ALLOW_PRIVATE_NETWORK off
the URL is refused when saved and every connection is checked on the address it really uses.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import requests

from app.outbound import DestinationRefused, PublicOnlyAdapter, allow_private_network, check_url, excerpt

TIMEOUT_SECONDS = 10.0


class CallbackError(Exception):
    """The delivery did not reach the booking system or was refused; `status` is its HTTP status if any."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class CallbackDestinationRefused(ValueError):
    """The callback URL points where calls may not go (a private address with the rule on, or no host)."""


def check_callback_url(url: str) -> None:
    """At save time: refuse a URL whose host resolves to a forbidden address while the rule is on."""
    if allow_private_network():
        return
    try:
        check_url(url)
    except DestinationRefused as exc:
        raise CallbackDestinationRefused(str(exc)) from None


def _session() -> requests.Session:
    session = requests.Session()
    if not allow_private_network():
        session.trust_env = False  # no proxy from the environment: the checked address is the one we reach
        for scheme in ("http://", "https://"):
            session.mount(scheme, PublicOnlyAdapter())
    return session


def post_signed(url: str, secret: str | None, body: str, timeout: float = TIMEOUT_SECONDS) -> int:
    """Send the JSON body; returns the 2xx status, raises CallbackError otherwise."""
    raw = body.encode()
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-CitaPlanner-Timestamp": stamp,
               "User-Agent": "CitaPlanner-Chatwoot-Connect"}
    if secret:
        headers["X-CitaPlanner-Signature"] = sign(secret, stamp, raw)
    try:
        with _session() as session:
            response = session.post(url, data=raw, headers=headers, timeout=timeout, allow_redirects=False)
    except DestinationRefused as exc:
        raise CallbackError(f"refused: {exc}") from None
    except requests.RequestException as exc:
        raise CallbackError(f"{type(exc).__name__}: {excerpt(exc)}") from exc
    if 300 <= response.status_code < 400:
        location = excerpt(response.headers.get("Location") or "?", 200)
        raise CallbackError(f"HTTP {response.status_code}: redirects are not followed (to {location})",
                            response.status_code)
    if not 200 <= response.status_code < 300:
        raise CallbackError(f"HTTP {response.status_code}: {excerpt(response.text)}", response.status_code)
    return response.status_code
