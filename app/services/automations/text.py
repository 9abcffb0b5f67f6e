"""Reading a customer's message: case, accents, punctuation, emoji and spaces ignored ("¡Sí! ✅" → "si")."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def normalize(text: str | None) -> str:
    """Lower case, accents stripped, everything but letters and digits collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()
