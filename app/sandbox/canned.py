"""Canned responses (`CannedResponse`: short_code and content present, short_code unique per account)."""

from __future__ import annotations

from typing import Any

from .errors import RecordInvalid
from .formats import as_text, blank
from .records import CannedResponse
from .settings import wrapped
from .state import SimulatorState


def canned_json(canned: CannedResponse) -> dict[str, Any]:
    """`api/v1/accounts/canned_responses/_canned_response`."""
    return {"id": canned.id, "account_id": canned.account_id, "short_code": canned.short_code,
            "content": canned.content}


def canned_of(state: SimulatorState, account_id: int, search: str | None) -> list[CannedResponse]:
    """The account's responses, id order; `search` matches short codes (then contents) case-insensitively."""
    found = [c for c in state.db.canned_responses.values() if c.account_id == account_id]
    if search:
        needle = search.lower()
        found = ([c for c in found if needle in c.short_code.lower()]
                 + [c for c in found if needle not in c.short_code.lower() and needle in c.content.lower()])
    return found


def save_canned(state: SimulatorState, account_id: int, params: dict[str, Any],
                canned: CannedResponse | None = None) -> CannedResponse:
    """Create, or update the given fields of, a canned response; 422 on a blank or taken short code."""
    body = wrapped(params, "canned_response")
    short_code = as_text(body["short_code"]) if "short_code" in body else (canned.short_code if canned else None)
    content = as_text(body["content"]) if "content" in body else (canned.content if canned else None)
    errors = [] if not blank(content) else [("content", "Content can't be blank")]
    if blank(short_code):
        errors.append(("short_code", "Short code can't be blank"))
    elif any(c.short_code == short_code and c.account_id == account_id and c is not canned
             for c in state.db.canned_responses.values()):
        errors.append(("short_code", "Short code has already been taken"))
    if errors:
        raise RecordInvalid(errors)
    if canned is None:
        canned = CannedResponse(id=state.db.allocate("canned_responses"), account_id=account_id,
                                short_code=short_code, content=content, created_at=state.now(),
                                updated_at=state.now())
        state.db.canned_responses[canned.id] = canned
    canned.short_code, canned.content, canned.updated_at = short_code, content, state.now()
    return canned
