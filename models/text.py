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


def fit_key(text: str, max_bytes: int = 1024) -> str:
    """A long text fit to store and index (a btree row holds about 2.7 KB on PostgreSQL):
    itself when short, else its start and the sha256 of the whole, so two texts that
    differ only past the cut stay two keys. Invalid characters are made visible first."""
    import hashlib

    text = visible(text)
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    digest = hashlib.sha256(data).hexdigest()
    head = data[: max_bytes - 80].decode("utf-8", "ignore")
    return f"{head}…#sha256:{digest}"
