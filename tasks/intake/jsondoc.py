"""Read a JSON submission into the typed submission form."""

from __future__ import annotations

import json
import re
from functools import partial
from typing import Any

from models.form import ENTERPRISE_COLUMNS, ParsedSubmission
from models.problems import Code, Problem, problem
from tasks.intake.limits import Limits
from tasks.intake.normalise import COLUMN_NAMES, INFO_NAMES, MAX_COUNT_CHARS, clean_text
from tasks.intake.rows import enterprise_row, figure_row

MAX_DEPTH = 8  # the document itself is 3 deep; anything far deeper is refused


class _NotANumber(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NotANumber(name)


class _TooMany:
    """An object with more members than any part of a submission may have, in place of
    the dict it would have been (a million indicator codes made one of ~100 MB)."""

    def __init__(self, count: int) -> None:
        self.count = count


_NESTED = (dict, list, _TooMany)  # values that are not a scalar


def _pairs(pairs: list[tuple[str, Any]], most: int = 1_100) -> dict[str, Any] | _TooMany:
    """Keep duplicate keys visible: a repeated key becomes ``[_dup, first, second…]``."""
    if len(pairs) > most:
        return _TooMany(len(pairs))
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            prev = out[k]
            out[k] = _Dup([*prev, v]) if isinstance(prev, _Dup) else _Dup([prev, v])
        else:
            out[k] = v
    return out


class _Dup(list[Any]):
    """Values of a key that appeared more than once in one JSON object."""


_SPECIAL = re.compile(r'["\\\[\]{}:]')  # one character each: no backtracking


def _outline(text: str) -> tuple[int, int]:
    """How deep brackets nest and how many object members there are (strings skipped),
    read before the document is built: both are bounded first. One pass over the
    characters that matter, in linear time whatever the text (a regex over strings with
    escapes backtracked quadratically on an unterminated string of ``\\"``)."""
    depth = deepest = members = 0
    in_string, skip = False, -1
    for m in _SPECIAL.finditer(text):
        at, ch = m.start(), m[0]
        if at == skip:  # the character after a backslash
            continue
        if in_string:
            if ch == "\\":
                skip = at + 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == ":":
            members += 1
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest, members


def most_members(limits: Limits) -> int:
    """The object members a document within the limits can hold (its info, its figures,
    every roster entry's fields), with room for unknown fields."""
    return limits.max_figures + 100 + limits.max_roster_rows * (len(ENTERPRISE_COLUMNS) + 5)


def _int(text: str) -> int | str:
    """A JSON integer; one too long to be any figure stays text (``int()`` of thousands of
    digits raises, and the bounds check reports it as too large)."""
    return int(text) if len(text) <= MAX_COUNT_CHARS else text


def decode(text: str, most: int = 1_100) -> Any:
    """A document as the readers take it: ``NaN``/``Infinity`` refused (``ValueError``), a
    repeated key kept visible (:class:`_Dup`), an object of more than ``most`` members left
    unbuilt (:class:`_TooMany`), an integer too long for any figure kept as text."""
    return json.loads(
        text,
        parse_constant=_reject_constant,
        object_pairs_hook=partial(_pairs, most=most),
        parse_int=_int,
    )


def is_plain(doc: Any) -> bool:
    """Whether :func:`decode` found no repeated key and no oversized object in ``doc``."""
    todo = [doc]
    while todo:
        value = todo.pop()
        if isinstance(value, (_Dup, _TooMany)):
            return False
        if isinstance(value, dict):
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return True


def read_json(data: bytes, out: ParsedSubmission, limits: Limits | None = None) -> None:
    """Fill ``out`` from a JSON document (UTF-8, a byte-order mark tolerated)."""
    limits = limits or Limits()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.problems.append(
            problem(Code.FILE_ENCODING, value=f"byte {exc.start}", expected="UTF-8")
        )
        return
    depth, members = _outline(text)
    if depth > MAX_DEPTH:
        out.problems.append(problem(Code.JSON_TOO_DEEP, expected=f"at most {MAX_DEPTH} levels"))
        return
    if members > most_members(limits):
        out.problems.append(
            problem(
                Code.JSON_TOO_MANY_ENTRIES,
                value=f"{members} entries",
                expected=f"at most {most_members(limits)}",
            )
        )
        return
    try:
        doc = decode(text, limits.max_figures + 100)
    except _NotANumber as exc:
        out.problems.append(problem(Code.JSON_NOT_NUMBER, value=str(exc), expected="a number"))
        return
    except json.JSONDecodeError as exc:
        out.problems.append(
            problem(
                Code.JSON_INVALID,
                row=exc.lineno,
                value=exc.msg,
                expected=f"valid JSON (line {exc.lineno}, col {exc.colno})",
            )
        )
        return
    except RecursionError:
        out.problems.append(problem(Code.JSON_TOO_DEEP, expected=f"at most {MAX_DEPTH} levels"))
        return
    except Exception as exc:  # anything else the decoder raises is still invalid JSON
        out.problems.append(
            problem(Code.JSON_INVALID, value=f"{type(exc).__name__}: {exc}", expected="valid JSON")
        )
        return
    _read_document(doc, out, limits)


def _shape(out: ParsedSubmission, field: str, value: object, expected: str) -> None:
    out.problems.append(
        problem(Code.JSON_SHAPE, field=field, value=type(value).__name__, expected=expected)
    )


def _read_document(doc: object, out: ParsedSubmission, limits: Limits) -> None:
    if not isinstance(doc, dict):
        _shape(out, "$", doc, "a JSON object")
        return
    for name, value in doc.items():
        field = INFO_NAMES.match(name)
        if field:
            if isinstance(value, _NESTED):
                _shape(out, name, value, "a text value")
            else:
                out.info[field] = clean_text(value) or None
    _read_figures(doc.get("indicators"), out, limits.max_figures)
    _read_enterprises(doc.get("enterprises"), out, limits.max_roster_rows)


def too_many(code: str, sheet: str, count: int, most: int) -> Problem:
    """A part listing more entries than a file may (nothing of it is read further)."""
    return problem(code, sheet=sheet, value=f"{count} entries", expected=f"at most {most}")


def _read_figures(figures: object, out: ParsedSubmission, most: int) -> None:
    if figures is None:
        out.problems.append(
            problem(Code.SHEET_MISSING, sheet="indicators", expected="an 'indicators' object")
        )
        return
    if isinstance(figures, _TooMany):
        out.problems.append(too_many(Code.TOO_MANY_FIGURES, "indicators", figures.count, most))
        return
    if not isinstance(figures, dict):
        _shape(out, "indicators", figures, "an object of code: value")
        return
    if len(figures) > most:
        out.problems.append(too_many(Code.TOO_MANY_FIGURES, "indicators", len(figures), most))
        return
    for code, value in figures.items():
        for v in value if isinstance(value, _Dup) else [value]:
            if isinstance(v, _NESTED):
                _shape(out, f"indicators.{code}", v, "a number")
                continue
            out.figures.append(figure_row({"code": code, "value": v}, row=None))


def _read_enterprises(items: object, out: ParsedSubmission, most: int) -> None:
    if items is None:
        out.problems.append(
            problem(
                Code.SHEET_MISSING,
                sheet="enterprises",
                expected="an 'enterprises' list (may be empty)",
            )
        )
        return
    if not isinstance(items, list):
        _shape(out, "enterprises", items, "a list of objects")
        return
    if len(items) > most:
        out.problems.append(too_many(Code.TOO_MANY_ENTERPRISES, "enterprises", len(items), most))
        return
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            _shape(out, f"enterprises[{n}]", item, "an object")
            continue
        cells = {}
        for name, value in item.items():
            field = COLUMN_NAMES.match(name)
            if field and not isinstance(value, _NESTED):
                cells[field] = value
            elif field:
                _shape(out, f"enterprises[{n}].{name}", value, "a text value")
        out.enterprises.append(enterprise_row(cells, row=n))
