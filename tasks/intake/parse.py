"""Parse one submission file (XLSX or JSON) into the typed form; never raises on content."""

from __future__ import annotations

import gc
import traceback
from pathlib import PurePosixPath

from models.form import ParsedSubmission
from models.problems import Code, Problem, problem
from tasks.intake import bounds, pool
from tasks.intake.filesafety import check_size, check_workbook
from tasks.intake.jsondoc import read_json
from tasks.intake.limits import Limits
from tasks.intake.xlsx import read_xlsx

FORMATS = (".xlsx", ".json")


def file_format(filename: str) -> str:
    """``xlsx``, ``json`` or ``other`` from a file name."""
    suffix = PurePosixPath(filename).suffix.lower()
    return suffix[1:] if suffix in FORMATS else "other"


def parse_file(filename: str, data: bytes, limits: Limits | None = None) -> ParsedSubmission:
    """Read a submission; every problem found is in ``problems`` (nothing is raised)."""
    limits = limits or Limits()
    fmt = file_format(filename)
    out = ParsedSubmission(filename=filename, format=fmt)
    if fmt == "other":
        out.problems.append(
            problem(
                Code.FILE_FORMAT,
                value=PurePosixPath(filename).suffix or "",
                expected=".xlsx or .json",
            )
        )
        return out
    too_large = check_size(len(data), limits.max_file_bytes)
    if too_large:
        out.problems.append(too_large)
        return out
    if fmt == "xlsx":
        checked = check_workbook(data, limits)
        if checked.problem:
            out.problems.append(checked.problem)
            return out
        read_xlsx(data, out, limits, checked.formula_sheets)
    else:
        read_json(data, out, limits)
    cost = None
    if out.readable:
        cost = bounds.check(out, limits.max_text_chars, limits.max_figure)
    return within_budget(out, limits.max_parsed_bytes, cost)


def within_budget(out: ParsedSubmission, most: int, cost: int | None = None) -> ParsedSubmission:
    """``out``, or in its place only the problem, when what it carries costs more than
    ``most`` bytes (``cost``, when the bounds check measured it already): a reader hands
    back a bounded result per file, whatever the file."""
    out.cost = bounds.parsed_size(out) if cost is None else cost
    over = bounds.over_budget(out.cost, most)
    if over is None:
        return out
    small = ParsedSubmission(filename=out.filename, format=out.format)
    small.problems.append(over)
    return small


def read_guarded(filename: str, data: bytes, limits: Limits) -> ParsedSubmission:
    """:func:`parse_file`, with an unexpected failure (a defect in chiso, or memory
    exhausted) as the file's own problem rather than an exception: the traceback goes in
    ``internal`` (for the operator), a code without it to the unit."""
    try:
        return parse_file(filename, data, limits)
    except MemoryError:
        out = ParsedSubmission(filename=filename, format=file_format(filename))
        out.problems.append(crashes_reader(f"more than {limits.reader_memory_mb} MB of memory"))
        return out
    except Exception as exc:
        out = ParsedSubmission(filename=filename, format=file_format(filename))
        out.problems.append(problem(Code.INTERNAL_ERROR, value=type(exc).__name__))
        out.internal = traceback.format_exc()
        return out


def crashes_reader(why: str) -> Problem:
    return problem(Code.FILE_CRASHES_READER, value=why, expected="a workbook Excel can open")


def read_chunk(files: list[tuple[str, bytes]], limits: Limits) -> list[ParsedSubmission]:
    """In a worker: read each file, under the CPU bound per file. The cyclic collector
    waits until the chunk is read: reading makes no reference cycles (what it drops is
    freed as it goes), and its passes over the chunk's growing results cost the pool
    about 4 % of its CPU on a national quarter (docs/performance.md, session 13)."""
    gc.disable()
    try:
        return [
            pool.bounded_call(limits.reader_cpu_seconds, read_guarded, name, data, limits)
            for name, data in files
        ]
    finally:
        gc.enable()
