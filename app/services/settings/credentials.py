"""A tenant proves the Chatwoot account it claims before its credentials change (INTERFACES §7).

Saving an account id, API URL or token asks Chatwoot (`GET /api/v1/profile`, one call, a short
timeout, no retries) whether the token's user belongs to the account the settings would then name;
otherwise the save is refused with the reason and nothing changes. So one salon cannot claim another
salon's account (and with it the other salon's webhooks) without holding a token of that account.
A change of the API URL's origin needs a token with it: the stored token never goes to a new server.

The proof only reads and calls: the caller proves first and writes afterwards, so no write
transaction is open while Chatwoot is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

from app.chatwoot.client import ChatwootClient
from app.chatwoot.destinations import check_chatwoot_url
from app.chatwoot.errors import (
    ChatwootAuthError,
    ChatwootConfigError,
    ChatwootError,
    ChatwootNotFound,
    ChatwootRateLimited,
    ChatwootTransientError,
)
from app.chatwoot.settings import ChatwootSettings, credential_values, resolve_settings, update_credentials
from app.models import ChatwootConfig, User
from app.outbound import allow_private_network, excerpt
from app.services.audit import record

PROOF_TIMEOUT = 5.0
CLAIM_COLUMNS = ("chatwoot_api_url", "chatwoot_account_id", "chatwoot_api_token")
BOT_DENIAL = "not authorized for bots"


class ClaimRefused(Exception):
    """The credentials were not saved; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Proof:
    """Chatwoot's word that the token's user belongs to the account."""

    account_id: str
    user_name: str
    role: str


def _origin(url: str | None) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the scheme's default port filled in."""
    if not url:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def prove_claim(tenant_id: str, changes: dict[str, str | None]) -> Proof | None:
    """Refuse (ClaimRefused) a change of URL, account or token that Chatwoot does not confirm.

    `changes` maps notification_settings columns to their new plaintext values (None clears one).
    Returns the proof, or None when the change claims nothing new.
    """
    before = resolve_settings(tenant_id)
    after = resolve_settings(tenant_id, {k: v for k, v in changes.items() if k in CLAIM_COLUMNS})
    new_token = bool(changes.get("chatwoot_api_token"))
    if (after.api_url, after.account_id, after.api_token) == (before.api_url, before.account_id,
                                                               before.api_token) and not new_token:
        return None
    if after.api_token and not new_token and _origin(after.api_url) != _origin(before.api_url):
        raise ClaimRefused("A new Chatwoot address needs its token: enter the API access token too "
                           "(the stored token is never sent to another server).")
    if after.api_url and not allow_private_network():
        _check_destination(after.api_url)
    if not after.account_id:
        return None
    if not (after.api_url and after.api_token):
        raise ClaimRefused(f"Chatwoot account {after.account_id} cannot be checked without the API URL and the "
                           "token: enter the three together.")
    return _ask_chatwoot(after)


def _check_destination(url: str) -> None:
    try:
        check_chatwoot_url(url)
    except ChatwootConfigError as exc:
        raise ClaimRefused(exc.message) from None


def _ask_chatwoot(after: ChatwootSettings) -> Proof:
    """One GET /api/v1/profile with the token the settings would use."""
    timeout = min(PROOF_TIMEOUT, float(current_app.config.get("CHATWOOT_TIMEOUT", PROOF_TIMEOUT)))
    api = ChatwootClient(after.api_url, after.account_id, after.api_token, timeout=timeout, retries=0,
                         rate_limit_waits=0)
    try:
        profile = api.get_profile()
    except ChatwootError as exc:
        raise ClaimRefused(_failure(exc, after.api_url, timeout)) from None
    finally:
        api.close()
    role = profile.role_in(after.account_id)
    if role is None:
        raise ClaimRefused(f"The token's user ({profile.name}) is not a member of Chatwoot account "
                           f"{after.account_id}: only a token of that account can claim it.")
    return Proof(after.account_id, profile.name, excerpt(role, 60))


def _failure(exc: ChatwootError, api_url: str, timeout: float) -> str:
    """Why Chatwoot could not confirm the account."""
    if isinstance(exc, ChatwootConfigError):
        return exc.message
    if isinstance(exc, ChatwootAuthError):
        if BOT_DENIAL in exc.message:
            return "This is an agent-bot token: a user's access token is needed (Chatwoot → Profile → Access Token)."
        return f"Chatwoot did not accept the API access token ({exc.message})."
    if isinstance(exc, ChatwootNotFound):
        return f"No Chatwoot API at {api_url} (404 on /api/v1/profile)."
    if isinstance(exc, ChatwootRateLimited):
        return "Chatwoot is rate limiting this account (429); try again in a minute."
    if isinstance(exc, ChatwootTransientError) and "timed out" in exc.message:
        return f"Chatwoot did not answer within {timeout:g} s, so the account could not be checked."
    if isinstance(exc, ChatwootTransientError):
        return f"Chatwoot is unreachable at {api_url} ({exc.message}), so the account could not be checked."
    return f"Chatwoot could not confirm the account: {exc.message}"


def configure_credentials(tenant_id: str, *, api_url: str | None = None, account_id: str | None = None,
                          inbox_id: str | None = None, api_token: str | None = None,
                          webhook_secret: str | None = None,
                          enabled: bool | None = None,
                          by: User | str | None = None) -> tuple[ChatwootConfig, list[str], Proof | None]:
    """`flask chatwoot configure`: check the values, prove the account with Chatwoot, then write (flush, audited)."""
    values = credential_values(api_url=api_url, account_id=account_id, inbox_id=inbox_id, api_token=api_token)
    proof = prove_claim(tenant_id, values)
    config, changed = update_credentials(tenant_id, api_url=api_url, account_id=account_id, inbox_id=inbox_id,
                                         api_token=api_token, webhook_secret=webhook_secret, enabled=enabled)
    proven = {"account_proven": {"account_id": proof.account_id, "role": proof.role}} if proof else {}
    record("settings.credentials", tenant_id=tenant_id, by=by, target_type="tenant", target_id=tenant_id,
           fields=changed, **proven)
    return config, changed, proof
