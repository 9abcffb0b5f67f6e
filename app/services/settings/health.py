"""The live credential check ("Test connection" / `flask chatwoot check`): token, account, inbox."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.chatwoot.client import ChatwootClient
from app.chatwoot.errors import (
    ChatwootAuthError,
    ChatwootConfigError,
    ChatwootError,
    ChatwootNotFound,
    ChatwootRateLimited,
    ChatwootTransientError,
)
from app.chatwoot.settings import ChatwootSettings, require_settings
from app.extensions import db
from app.models import ChatwootConfig, utcnow
from app.outbound import excerpt

BOT_DENIAL = "not authorized for bots"
NOT_IN_ACCOUNT = "not authorized to access this account"
SUSPENDED = "suspended"
CHECK_TIMEOUT = 4.0  # seconds per call; the check makes at most three


class CheckFailed(Exception):
    """A problem found by the live check; the message is what the user reads."""


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    inbox_name: str | None = None
    channel_type: str | None = None
    account_role: str | None = None


def check_connection(tenant_id: str) -> CheckResult:
    """Validate the tenant's credentials against Chatwoot and store the outcome (flush only)."""
    result = live_check(tenant_id)
    record_check(tenant_id, result)
    return result


def live_check(tenant_id: str) -> CheckResult:
    """Ask Chatwoot within a short budget; reads the settings and writes nothing, so no write waits on it."""
    try:
        settings = require_settings(tenant_id)
    except ChatwootConfigError as exc:
        return CheckResult(False, exc.message)
    return _live_check(settings)


def _live_check(settings: ChatwootSettings) -> CheckResult:
    # One attempt per call, no minute-long 429 waits and a short timeout: the person clicking "check"
    # wants an answer now, and a web worker must not be held by a slow Chatwoot.
    config = current_app.config
    timeout = min(config.get("CHATWOOT_TIMEOUT", CHECK_TIMEOUT), config.get("CHATWOOT_CHECK_TIMEOUT", CHECK_TIMEOUT))
    api = ChatwootClient.from_settings(settings, retries=0, rate_limit_waits=0, timeout=timeout)
    try:
        role, user_name = _account_role(api, settings)
        if not settings.inbox_id:
            raise CheckFailed("No inbox configured, so messages cannot be sent. " + _inbox_hint(api))
        inbox = _inbox(api, settings)
    except CheckFailed as exc:
        return CheckResult(False, str(exc))
    except ChatwootError as exc:
        return CheckResult(False, _transport_problem(exc, settings))
    finally:
        api.close()
    # Names come from Chatwoot's answer: pages show them only as short excerpts.
    name, channel, role = excerpt(inbox.name, 100), excerpt(inbox.channel_type, 60), excerpt(role, 60)
    message = (f"Connected to Chatwoot account {settings.account_id} as {user_name} ({role}); "
               f"inbox {settings.inbox_id} is “{name}” ({channel}).")
    return CheckResult(True, message, name, channel, role)


def _account_role(api: ChatwootClient, settings: ChatwootSettings) -> tuple[str, str]:
    """The token's role in the configured account, or the exact reason it has none."""
    try:
        profile = api.get_profile()
    except ChatwootAuthError as exc:
        if BOT_DENIAL in exc.message:
            raise CheckFailed("This is an agent-bot token: contacts and sync need a user's access token "
                              "(Chatwoot → Profile settings → Access Token).") from None
        raise CheckFailed(f"{exc.message}: Chatwoot did not accept the API access token.") from None
    except ChatwootNotFound:
        raise CheckFailed(f"No Chatwoot API at {settings.api_url} (404 on /api/v1/profile): "
                          "use the address of the Chatwoot installation itself.") from None
    role = profile.role_in(settings.account_id)
    if role is None:
        raise CheckFailed(f"The token's user ({profile.name}) is not a member of Chatwoot account "
                          f"{settings.account_id}.")
    return role, profile.name


def _inbox(api: ChatwootClient, settings: ChatwootSettings):
    """The configured inbox, or why it cannot be used."""
    try:
        return api.get_inbox(settings.inbox_id)
    except ChatwootNotFound:
        raise CheckFailed(f"Inbox {settings.inbox_id} not found in account {settings.account_id}. "
                          + _inbox_hint(api)) from None
    except ChatwootAuthError as exc:
        if NOT_IN_ACCOUNT in exc.message or SUSPENDED in exc.message:
            raise CheckFailed(f"{exc.message} (account {settings.account_id}).") from None
        raise CheckFailed(f"The token's user is not a member of inbox {settings.inbox_id}: an administrator "
                          "must add them to the inbox, or use an administrator's token.") from None


def _inbox_hint(api: ChatwootClient) -> str:
    """The inboxes the token can see, so the user can pick the right id."""
    try:
        inboxes = api.list_inboxes()
    except ChatwootError:
        return ""
    if not inboxes:
        return "The token sees no inbox in this account."
    listed = excerpt(", ".join(f"{i.id} “{i.name}” ({i.channel_type})" for i in inboxes))
    return f"Inboxes this token can use: {listed}."


def _transport_problem(exc: ChatwootError, settings: ChatwootSettings) -> str:
    """Chatwoot could not be asked: unreachable, timed out, rate limited or answering oddly."""
    if isinstance(exc, ChatwootConfigError):
        return exc.message  # e.g. an address this deployment does not call
    if isinstance(exc, ChatwootRateLimited):
        return "Chatwoot is rate limiting this account (429); try again in a minute."
    if isinstance(exc, ChatwootTransientError):
        return f"Chatwoot is unreachable at {settings.api_url}: {exc.message}."
    return f"Chatwoot answered with an error: {exc.message}"


def record_check(tenant_id: str, result: CheckResult) -> None:
    """The short write after the check: when, and what it found (flush only)."""
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant_id))
    if config is None:
        return
    config.last_check_at = utcnow()
    config.last_check_ok = result.ok
    config.last_check_message = result.message
    config.inbox_name, config.inbox_channel_type = result.inbox_name, result.channel_type
    db.session.flush()
