"""Bounds on what one parsed file may carry: figure sizes and text (length, characters).

Checked once the file is read and before anything else sees it; each breach is a problem
of its own code, an error that keeps the file from validation, storage and publication.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from models.form import ParsedSubmission
from models.problems import Code, Problem, problem
from models.text import INVALID_CHARS

# a count too long to be read as one (normalise.parse_count leaves those unread)
_DIGITS = re.compile(r"^(\d+|\d{1,3}(\.\d{3})+)$", re.ASCII)
_ROSTER_TEXT = (
    "tax_code_raw",
    "name",
    "type_raw",
    "dx_capable_raw",
    "established_raw",
    "status_raw",
    "main_products",
)
PER_CODE = 20  # problems of one code a file can give here (a roster of bad rows gives one)


def check(out: ParsedSubmission, max_text_chars: int, max_figure: int) -> int:
    """Add a problem for each text with an invalid character or over ``max_text_chars``,
    and for each figure over ``max_figure``; what the parsed file costs
    (:func:`parsed_size`), measured in the same pass over its texts."""
    counts: dict[str, int] = {}
    size = 0

    def add(code: str, **where: object) -> None:
        counts[code] = counts.get(code, 0) + 1
        if counts[code] <= PER_CODE:
            out.problems.append(problem(code, **where))  # type: ignore[arg-type]

    for sheet, row, field, text, is_figure in _texts(out):
        size += CELL_COST + len(text)
        if INVALID_CHARS.search(text):
            add(
                Code.TEXT_INVALID_CHARACTER,
                sheet=sheet,
                row=row,
                field=field,
                value=text,
                expected="Unicode text without control characters",
            )
        elif len(text) > max_text_chars and not is_figure:  # a figure's size is below
            add(
                Code.TEXT_TOO_LONG,
                sheet=sheet,
                row=row,
                field=field,
                value=f"{len(text)} characters",
                expected=f"at most {max_text_chars}",
            )
    for f in out.figures:
        raw = f.raw
        big = f.value > max_figure if f.value is not None else bool(_DIGITS.match(raw))
        if big:
            add(
                Code.FIGURE_TOO_LARGE,
                sheet="indicators",
                row=f.row,
                field=f.code,
                value=raw,
                expected=f"an integer of at most {max_figure}",
            )
    return size


CELL_COST = 64  # bytes a parsed value costs besides its text (objects, lists, indexes)
SLOT_COST = 8  # an empty cell: a pointer to None


def grid_size(grid: list[list[object]]) -> int:
    """What a sheet's cells cost once read: their text and a cost per cell."""
    return sum(
        SLOT_COST if c is None or c == "" else CELL_COST + (len(c) if isinstance(c, str) else 0)
        for row in grid
        for c in row
    )


def parsed_size(out: ParsedSubmission) -> int:
    """What the parsed file costs to hand back and hold: its texts and a cost per value."""
    return sum(CELL_COST + len(text) for *_, text, _ in _texts(out))


def over_budget(size: int, most: int) -> Problem | None:
    """The problem of content that costs ``size`` bytes once read, over ``most``."""
    if size <= most:
        return None
    return problem(
        Code.CONTENT_TOO_LARGE,
        value=f"{size / 1e6:.1f} MB once read",
        expected=f"at most {most / 1e6:.0f} MB",
    )


def _texts(out: ParsedSubmission) -> Iterator[tuple[str, int | None, str, str, bool]]:
    """Every text the file gave: (sheet, row, field, text, whether it is a figure)."""
    for name, value in out.info.items():
        if value:
            yield "info", out.info_rows.get(name), name, value, False
    for f in out.figures:
        yield "indicators", f.row, "code", f.code, False
        yield "indicators", f.row, f.code, f.raw, True
        if f.note:
            yield "indicators", f.row, "note", f.note, False
    for e in out.enterprises:
        for name in _ROSTER_TEXT:
            value = getattr(e, name)
            if value:
                yield "enterprises", e.row, name.removesuffix("_raw"), value, False
