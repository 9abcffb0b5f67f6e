"""The address rule (app/outbound.py) in Chatwoot's words: refusals are ChatwootDestinationRefused, so
the settings page and the client report them like any other configuration problem."""

from __future__ import annotations

from app.chatwoot.errors import ChatwootDestinationRefused
from app.outbound import DestinationRefused, check_url


def chatwoot_refusal(exc: DestinationRefused) -> ChatwootDestinationRefused:
    """The refusal naming Chatwoot, worded as the dashboard's label patterns expect."""
    text = str(exc)
    if exc.address is not None:
        return ChatwootDestinationRefused(f"The Chatwoot address {text}")
    if not exc.host:
        return ChatwootDestinationRefused(f"The Chatwoot address {text.removeprefix('the address ')}")
    return ChatwootDestinationRefused(text[:1].upper() + text[1:])


def check_chatwoot_url(url: str) -> None:
    """Refuse a Chatwoot URL whose host resolves to a forbidden address (at save time; calls check again)."""
    try:
        check_url(url)
    except DestinationRefused as exc:
        raise chatwoot_refusal(exc) from None
