"""Pure normalisers for the values a submission carries (text, counts, dates, words, codes)."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

from models.form import (
    ENTERPRISE_COLUMNS,
    FIGURE_COLUMNS,
    INFO_FIELDS,
    NO_WORDS,
    SHEETS,
    STATUSES,
    TYPES,
    YES_WORDS,
)

# digits are ASCII digits only, as in unit codes and periods: a figure in Arabic-Indic or
# fullwidth digits (an input method's slip) is not a number (figure_not_integer)
_COUNT = re.compile(r"^\d+$", re.ASCII)
_DOT_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$", re.ASCII)
_EXCEL_EPOCH = date(1899, 12, 30)
MAX_COUNT_CHARS = 40


def clean_text(value: object) -> str:
    """A cell or JSON value as trimmed NFC text ('' for blank), each run of white space one
    space; integral floats lose ``.0``. Called for every cell a reader sees (720,000 times
    a national quarter), so text, the common case, comes first, and white space is folded
    by ``str.split``, whose white space is the regular expressions' ``\\s``."""
    if type(value) is str:
        text = value if value.isascii() else unicodedata.normalize("NFC", value)
        return " ".join(text.split())
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
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def key(value: object) -> str:
    """The matching form of a label: NFC, case-folded, single spaces, trimmed."""
    return clean_text(value).casefold()


class Lookup:
    """Canonical keys found by their key or their Vietnamese label (after :func:`key`)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names  # canonical key: label
        self.table: dict[str, str] = {}
        for canonical, label in names.items():
            self.table.setdefault(canonical.casefold(), canonical)
            self.table.setdefault(key(label), canonical)

    def match(self, value: object) -> str | None:
        """The canonical key ``value`` names; the first in the names' order when several do."""
        return self.table.get(key(value))


SHEET_NAMES = Lookup(SHEETS)
INFO_NAMES = Lookup(INFO_FIELDS)
FIGURE_NAMES = Lookup(FIGURE_COLUMNS)
COLUMN_NAMES = Lookup(ENTERPRISE_COLUMNS)
TYPE_NAMES = Lookup(TYPES)
STATUS_NAMES = Lookup(STATUSES)


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
    return TYPE_NAMES.match(value)


def parse_status(value: object) -> str | None:
    """The canonical status; ``đang hoạt động`` and ``đã giải thể`` are accepted too."""
    k = key(value)
    k = {
        "đang hoạt động": "hoạt động",
        "đã giải thể": "giải thể",
        "tạm ngừng hoạt động": "tạm ngừng",
        "tạm ngưng": "tạm ngừng",
    }.get(k, k)
    return STATUS_NAMES.match(k)


def normalise_tax_code(value: object) -> str:
    """Digits of a tax code; numeric cells zero-padded to 10; branch kept as ``-NNN``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            return clean_text(value)
        return f"{int(value):010d}"
    return as_ascii_code(clean_text(value)).replace(" ", "")


def as_ascii_code(text: str) -> str:
    """A code as a person meant it: compatibility forms folded (NFKC: fullwidth ``３９``
    is ``39``, a non-breaking space a space). What is still not ASCII after that (Arabic-
    Indic digits, letters) stays, for the shape check to refuse: a code is ASCII only."""
    return unicodedata.normalize("NFKC", text) if not text.isascii() else text
