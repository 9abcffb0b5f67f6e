"""POSTing a change to the salon's booking system, signed like Chatwoot signs its webhooks.

`X-CitaPlanner-Signature: sha256=HMAC-SHA256(secret, "<timestamp>.<body>")` with the Unix timestamp in
`X-CitaPlanner-Timestamp`, so the receiver can refuse stale or forged deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import requests

TIMEOUT_SECONDS = 10.0


class CallbackError(Exception):
    """The delivery did not reach the booking system or was refused; `status` is its HTTP status if any."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def post_signed(url: str, secret: str | None, body: str, timeout: float = TIMEOUT_SECONDS) -> int:
    """Send the JSON body; returns the 2xx status, raises CallbackError otherwise."""
    raw = body.encode()
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-CitaPlanner-Timestamp": stamp,
               "User-Agent": "CitaPlanner-Chatwoot-Connect"}
    if secret:
        headers["X-CitaPlanner-Signature"] = sign(secret, stamp, raw)
    try:
        response = requests.post(url, data=raw, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise CallbackError(f"{type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise CallbackError(f"HTTP {response.status_code}: {response.text[:200]}", response.status_code)
    return response.status_code
