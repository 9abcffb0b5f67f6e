"""Value formats Chatwoot (Rails) uses on the wire: timestamps, JSON encoding, param casting."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

_RAILS_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_RAILS_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")
_LEADING_INT = re.compile(r"\s*([+-]?\d+)")
_FALSE_VALUES = {"0", "f", "F", "false", "FALSE", "off", "OFF"}


def iso_ms(ts: float | None) -> str | None:
    """ISO-8601 UTC with milliseconds, as ActiveSupport renders times (None stays None)."""
    if ts is None:
        return None
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def epoch(ts: float | None) -> int:
    """Integer epoch seconds; Chatwoot's `to_i` turns a missing time into 0."""
    return 0 if ts is None else int(ts)


def epoch_or_none(ts: float | None) -> int | None:
    """Integer epoch seconds, keeping None."""
    return None if ts is None else int(ts)


def rails_json(payload: Any) -> str:
    """Compact JSON with the HTML-safe escapes that ActiveSupport's `to_json` applies."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return _RAILS_ESCAPE_RE.sub(lambda match: _RAILS_ESCAPES[match.group()], text)


def ruby_int(value: Any) -> int | None:
    """Cast a param to an integer the way ActiveRecord does for ids ("42abc" → 42, "x" → None)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    match = _LEADING_INT.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def ruby_bool(value: Any, default: bool = False) -> bool:
    """Cast a param to a boolean the way ActiveModel does; blank gives the default."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value) not in _FALSE_VALUES


def page_number(raw: Any) -> int:
    """The page Kaminari serves for a `page` param (`to_i`, anything below 1 is page 1)."""
    number = ruby_int(raw) if raw is not None else 1
    return max(number or 0, 1)


def blank(value: Any) -> bool:
    """Ruby's `blank?` for the values JSON can carry."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return isinstance(value, dict | list) and not value


def as_text(value: Any) -> str | None:
    """Cast a scalar param to the string ActiveRecord stores in a string column."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def like_pattern(term: str, case_sensitive: bool) -> re.Pattern[str]:
    """Compile SQL `LIKE '%term%'` (backslash escapes, % and _ wildcards) into a regex."""
    parts, chars = [".*"], iter(term)
    for char in chars:
        if char == "\\":
            parts.append(re.escape(next(chars, "\\")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    parts.append(".*")
    flags = re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE
    return re.compile("".join(parts), flags)
