"""Pure normalisers for the values a submission carries (text, counts, dates, words, codes)."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

from models.form import NO_WORDS, STATUSES, TYPES, YES_WORDS

# digits are ASCII digits only, as in unit codes and periods: a figure in Arabic-Indic or
# fullwidth digits (an input method's slip) is not a number (figure_not_integer)
_COUNT = re.compile(r"^\d+$", re.ASCII)
_DOT_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$", re.ASCII)
_SPACE = re.compile(r"\s+")
_EXCEL_EPOCH = date(1899, 12, 30)
MAX_COUNT_CHARS = 40


def clean_text(value: object) -> str:
    """A cell or JSON value as trimmed NFC text ('' for blank); integral floats lose ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return _SPACE.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def key(value: object) -> str:
    """The matching form of a label: NFC, case-folded, single spaces, trimmed."""
    return clean_text(value).casefold()


_LOOKUPS: dict[int, tuple[dict[str, str], dict[str, str]]] = {}


def match_key(value: object, names: dict[str, str]) -> str | None:
    """The canonical key whose key or Vietnamese label equals ``value`` (after :func:`key`);
    the first in ``names``' order when several do."""
    entry = _LOOKUPS.get(id(names))
    if entry is None or entry[0] is not names:
        table: dict[str, str] = {}
        for canonical, label in names.items():
            table.setdefault(canonical.casefold(), canonical)
            table.setdefault(key(label), canonical)
        entry = _LOOKUPS[id(names)] = (names, table)
    return entry[1].get(key(value))


def parse_count(value: object) -> int | None:
    """A non-negative integer from a number or text (``1234``, ``1.234``), else ``None``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and value >= 0:
            return int(value)
        return None
    text = clean_text(value)
    if len(text) > MAX_COUNT_CHARS:  # far past any figure (bounds.check says so), and int()
        return None  # of thousands of digits raises
    if _COUNT.match(text):
        return int(text)
    if _DOT_GROUPED.match(text):
        return int(text.replace(".", ""))
    return None


def parse_date(value: object) -> date | None:
    """A date from a date cell, an Excel serial, ISO ``yyyy-mm-dd`` or ``dd/mm/yyyy``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value) and 1 <= value < 2958466 and float(value).is_integer():
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return None
    text = clean_text(value)
    m = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", text, re.ASCII)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        if re.match(r"^\d{4}-\d{2}-\d{2}$", text, re.ASCII):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def parse_yes_no(value: object) -> bool | None:
    """``True``/``False`` from yes/no words (blank = no), ``None`` when not one of them."""
    if isinstance(value, bool):
        return value
    k = key(value)
    if k in YES_WORDS:
        return True
    if k in NO_WORDS:
        return False
    return None


def parse_type(value: object) -> str | None:
    """The canonical enterprise type for a key or its Vietnamese label."""
    return match_key(value, TYPES)


def parse_status(value: object) -> str | None:
    """The canonical status; ``đang hoạt động`` and ``đã giải thể`` are accepted too."""
    k = key(value)
    k = {
        "đang hoạt động": "hoạt động",
        "đã giải thể": "giải thể",
        "tạm ngừng hoạt động": "tạm ngừng",
        "tạm ngưng": "tạm ngừng",
    }.get(k, k)
    return match_key(k, STATUSES)


def normalise_tax_code(value: object) -> str:
    """Digits of a tax code; numeric cells zero-padded to 10; branch kept as ``-NNN``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            return clean_text(value)
        return f"{int(value):010d}"
    return clean_text(value).replace(" ", "")
