"""Opt-out keywords: a message that is only BAJA/STOP/ALTO/CANCELAR SUSCRIPCION stops marketing; ALTA/START undo it."""

from __future__ import annotations

from app.models import Client

OPT_OUT = frozenset({"baja", "stop", "alto", "cancelar suscripcion"})
OPT_IN = frozenset({"alta", "start"})


def keyword_change(words: str) -> bool | None:
    """The new marketing_opt_out value a normalised message asks for, or None when it is no keyword."""
    if words in OPT_OUT:
        return True
    if words in OPT_IN:
        return False
    return None


def apply_opt_out(client: Client, opt_out: bool) -> str:
    """Set the client's choice; returns which text answers it."""
    client.marketing_opt_out = opt_out
    return "optout_text" if opt_out else "optin_text"
