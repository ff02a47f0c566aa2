"""A workbook's sheets read as raw XML, before any reader: their names and their extent."""

from __future__ import annotations

import html
import io
import re
import zipfile

from tasks.intake.limits import Limits

_TAG = re.compile(rb"<(?:\w+:)?(row|c|dimension)\b([^>]*)>")
_REF_ATTR = re.compile(rb'\b(?:r|ref)\s*=\s*["\']([^"\']*)["\']')
_CELL_REF = re.compile(rb"([A-Za-z]{0,3})(\d+)$")
_CARRY_MAX = 1 << 16


def column_letters(n: int) -> str:
    """1 -> A, 27 -> AA, 16384 -> XFD."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out or "A"


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


class SheetExtent:
    """The rows and columns a worksheet's XML declares or uses, fed in chunks. A tag cut by
    a chunk's end is carried into the next; a tag longer than 64 KB counts as too large."""

    def __init__(self) -> None:
        self.rows = self.cols = 0
        self._row = self._col = 0
        self._carry = b""

    def feed(self, chunk: bytes) -> None:
        text = self._carry + chunk
        cut = text.rfind(b"<")
        if cut != -1 and text.find(b">", cut) == -1:
            text, self._carry = text[:cut], text[cut:]
            if len(self._carry) > _CARRY_MAX:
                self.rows = self.cols = 1 << 30
                self._carry = b""
        else:
            self._carry = b""
        for m in _TAG.finditer(text):
            ref = _REF_ATTR.search(m[2])
            kind = m[1]
            if kind == b"dimension":
                if ref:
                    for part in ref[1].split(b":"):
                        self._see(part)
                continue
            if kind == b"row":
                self._row = self._row + 1
                self._col = 0
                if ref and ref[1].isdigit():
                    self._row = int(ref[1][:12])
                self.rows = max(self.rows, self._row)
                continue
            self._col += 1
            if ref:
                self._see(ref[1], cell=True)
            self.cols = max(self.cols, self._col)

    def _see(self, ref: bytes, cell: bool = False) -> None:
        m = _CELL_REF.match(ref.strip()[:16])
        if not m:
            return
        col = _column_number(m[1]) if m[1] else 0
        row = int(m[2][:12])
        if cell:
            self._col = max(col, self._col) if col else self._col
            self._row = max(self._row, row)
        self.rows, self.cols = max(self.rows, row), max(self.cols, col)

    def beyond(self, limits: Limits) -> bool:
        return self.rows > limits.max_sheet_rows or self.cols > limits.max_sheet_columns


_REF_VALUE = re.compile(rb'\b(?:r|ref)\s*=\s*["\']([^"\'\x00]*)["\']')
_DIGITS, _LETTERS = re.compile(rb"\d+"), re.compile(rb"[A-Za-z]+")
_FIVE_DIGITS, _TWO_LETTERS = re.compile(rb"\d{5}"), re.compile(rb"[A-Za-z]{2}")
_KIND = {b"row": 114, b"c": 99, b"dimension": 100}  # r, c, d


def surely_within(xml: bytes, limits: Limits) -> bool:
    """Whether a whole worksheet (given in one piece) is within the limits by a bound that
    is never below :class:`SheetExtent`'s measure: ``False`` leaves the decision to that
    walk. Its loop over every tag costs a workbook of 20 rows about a millisecond; this
    bound a tenth of that, from the same tags (found by the same pattern, in C):

    - every row number the walk can reach is at most the largest number in any ``r`` or
      ``ref`` attribute of those tags plus the count of row tags (a row without ``r``
      counts on from the one before);
    - every column it can reach is at most the largest column letter in those attributes
      plus the most cells between two row tags (a cell without a reference counts on)."""
    tags = _TAG.findall(xml)
    kinds = bytes(_KIND[kind] for kind, _ in tags)
    rows = kinds.count(b"r")
    cells = max(map(len, kinds.replace(b"d", b"").split(b"r")), default=0)
    values = b"\x00".join(_REF_VALUE.findall(b"\x00".join(attrs for _, attrs in tags)))
    # a unit's sheet refers to no row past 9,999 nor any column past Z: bounded by those
    # without reading each reference as a number (a third of this check's time)
    if (
        _FIVE_DIGITS.search(values) is None
        and _TWO_LETTERS.search(values) is None
        and 9_999 + rows <= limits.max_sheet_rows
        and 26 + cells <= limits.max_sheet_columns
    ):
        return True
    numbers, letters = _DIGITS.findall(values), set(_LETTERS.findall(values))
    if max(map(len, numbers), default=0) > 12 or max(map(len, letters), default=0) > 3:
        return False
    most_row = max(map(int, numbers), default=0)
    most_col = max(map(_column_number, letters), default=0)
    return most_row + rows <= limits.max_sheet_rows and most_col + cells <= limits.max_sheet_columns


def sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet members and their sheet names (from the workbook and its relations)."""
    try:
        book = zf.read("xl/workbook.xml")[: _CARRY_MAX * 16]
        rels = zf.read("xl/_rels/workbook.xml.rels")[: _CARRY_MAX * 16]
    except Exception:  # no readable workbook part (zlib.error too): every sheet-like member
        return {i.filename: i.filename for i in zf.infolist() if _is_sheet(i.filename)}
    targets = {}
    for m in re.finditer(rb"<Relationship\b([^>]*)>", rels):
        rid = re.search(rb'\bId="([^"]*)"', m[1])
        target = re.search(rb'\bTarget="([^"]*)"', m[1])
        if rid and target:
            path = target[1].decode("utf-8", "replace").lstrip("/")
            targets[rid[1]] = path if path.startswith("xl/") else "xl/" + path
    out = {i.filename: i.filename for i in zf.infolist() if _is_sheet(i.filename)}
    for m in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*)>", book):
        name = re.search(rb'\bname="([^"]*)"', m[1])
        rid = re.search(rb'\br:id="([^"]*)"', m[1])
        if name and rid and targets.get(rid[1]) in out:
            out[targets[rid[1]]] = html.unescape(name[1].decode("utf-8", "replace"))
    return out


def _is_sheet(member: str) -> bool:
    return member.startswith("xl/worksheets/") and member.endswith(".xml")


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
FORMULA, _VALUE = re.compile(rb"<(?:\w+:)?f\b"), re.compile(rb"<(?:\w+:)?(?:v|is)\b")


def formulas_without_value(data: bytes, sheets: set[str]) -> dict[str, set[tuple[int, int]]]:
    """Cells of the named sheets holding a formula with no computed value (a file written
    by a program that does not calculate): ``(row from 1, column from 0)`` by sheet name.
    The reader would take them as blank; the bytes were checked before
    (:func:`tasks.intake.filesafety.check_workbook`)."""
    out: dict[str, set[tuple[int, int]]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for member, name in sheet_names(zf).items():
            if name not in sheets:
                continue
            xml = zf.read(member)
            if not FORMULA.search(xml):
                continue
            for m in _CELL.finditer(xml):
                body = m[2] or b""
                ref = _REF_ATTR.search(m[1])
                cell = _CELL_REF.match(ref[1]) if ref else None
                if cell and cell[1] and FORMULA.search(body) and not _VALUE.search(body):
                    at = (int(cell[2]), _column_number(cell[1]) - 1)
                    out.setdefault(name, set()).add(at)
    return out
