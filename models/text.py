"""Text safety: the characters no stored or shown text may carry, and how they are shown."""

from __future__ import annotations

import re

# characters no text of a submission may hold: C0/C1 controls (tab, line feed and carriage
# return aside: they are white space), DEL, and lone surrogates (not encodable as UTF-8,
# so neither PostgreSQL nor a JSON or HTML encoder takes them); NUL is among the controls
INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def visible(text: str) -> str:
    """``text`` with each invalid character written as its code point (``\\u0000``), so a
    problem can show where it was without carrying it."""
    return INVALID_CHARS.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def fit(text: str | None, width: int) -> str | None:
    """A path segment fit for a column of ``width``: invalid characters made visible, and
    cut with ``…`` when longer (so a cut segment never reads as a valid code)."""
    if text is None:
        return None
    text = visible(text)
    return text if len(text) <= width else text[: width - 1] + "…"
