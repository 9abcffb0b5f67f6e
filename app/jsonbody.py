"""Strict JSON for bodies from outside (webhooks, /api/v1): bounded nesting, text that is real Unicode.

Python's json accepts escapes such as "\\ud800" (a lone UTF-16 surrogate). The resulting string cannot be
encoded as UTF-8, so it fails later, at storage or rendering, as a 500. Nesting is capped well below the
interpreter's recursion limit so no later step (dumps, hashing, templates) meets a RecursionError.
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 64
# A \u escape in the surrogate range: the only way a lone surrogate gets into text decoded as UTF-8.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class JSONBodyError(ValueError):
    """The body is not acceptable JSON; `code` names the problem for clients."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _refuse_constant(name: str):
    raise ValueError(f"not JSON: {name}")


def loads(body: bytes):
    """The parsed body, or JSONBodyError: not UTF-8 JSON, nested deeper than MAX_DEPTH, or invalid Unicode."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONBodyError("too_deep", f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except (UnicodeDecodeError, ValueError):
        raise JSONBodyError("invalid_json", "not valid JSON in UTF-8") from None
    strings = bool(_SURROGATE_ESCAPE.search(body))
    # Nesting cannot be deeper than the number of opening brackets (those inside strings only add to the
    # count), so most bodies need no walk at all; counting bytes is far cheaper than walking the value.
    if strings or body.count(b"{") + body.count(b"[") > MAX_DEPTH:
        _check(data, strings)
    return data


def _check(data, strings: bool) -> None:
    """Walk the value without recursion: depth always, strings only when an escape could hide a surrogate."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise JSONBodyError("too_deep", f"JSON nested deeper than {MAX_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if strings and key is not None:
                    _check_text(key)
                stack.append((item, depth + 1))
        elif strings and isinstance(value, str):
            _check_text(value)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JSONBodyError("invalid_unicode", "JSON text holds an invalid Unicode escape "
                                               "(a lone surrogate such as \\ud800)") from None
