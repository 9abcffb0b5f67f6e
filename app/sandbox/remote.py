"""Client of the simulator's control surface, for `flask chatwoot simulator incoming` (another process)."""

from __future__ import annotations

from typing import Any

import requests

TIMEOUT = 30  # the simulator answers after delivering every webhook, each with Chatwoot's 5 s timeout
EXCERPT = 200


class SimulatorControlError(RuntimeError):
    """The simulator refused the request, or there is no simulator at that address."""


def post_incoming(api_url: str, token: str, account_id: int, phone: str, text: str, name: str | None = None,
                  inbox_id: int | None = None) -> dict[str, Any]:
    """Make a customer write on WhatsApp; returns where the message landed and the webhook deliveries."""
    url = f"{api_url.rstrip('/')}/simulator/api/v1/accounts/{account_id}/incoming_messages"
    body = {"phone": phone, "text": text, "name": name, "inbox_id": inbox_id}
    try:
        response = requests.post(url, json=body, headers={"api_access_token": token}, timeout=TIMEOUT,
                                 allow_redirects=False)
    except requests.RequestException as exc:
        raise SimulatorControlError(f"the simulator at {api_url} did not answer ({type(exc).__name__})") from exc
    if response.status_code == 404:
        raise SimulatorControlError(f"{api_url} is not the bundled Chatwoot simulator (or has no account "
                                    f"{account_id}): 404")
    if not response.ok:
        raise SimulatorControlError(f"the simulator answered {response.status_code}: {_reason(response)}")
    return response.json()


def _reason(response: requests.Response) -> str:
    """The error text of a simulator answer, shortened."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:EXCERPT]
    if isinstance(body, dict):
        return str(body.get("error") or body.get("message") or body.get("errors") or body)[:EXCERPT]
    return str(body)[:EXCERPT]
