"""Parse one submission file (XLSX or JSON) into the typed form; never raises on content."""

from __future__ import annotations

import os
import traceback
from concurrent.futures import Future
from pathlib import PurePosixPath

from models.form import ParsedSubmission
from models.problems import Problem, problem
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
                "file_format", value=PurePosixPath(filename).suffix or "", expected=".xlsx or .json"
            )
        )
        return out
    too_large = check_size(len(data), limits.max_file_bytes)
    if too_large:
        out.problems.append(too_large)
        return out
    if fmt == "xlsx":
        unsafe = check_workbook(data, limits)
        if unsafe:
            out.problems.append(unsafe)
            return out
        read_xlsx(data, out, limits)
    else:
        read_json(data, out, limits)
    if out.readable:
        bounds.check(out, limits.max_text_chars, limits.max_figure)
    return out


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
        out.problems.append(problem("internal_error", value=type(exc).__name__))
        out.internal = traceback.format_exc()
        return out


def crashes_reader(why: str) -> Problem:
    return problem("file_crashes_reader", value=why, expected="a workbook Excel can open")


def _read_chunk(files: list[tuple[str, bytes]], limits: Limits) -> list[ParsedSubmission]:
    """In a worker: read each file, under the CPU bound per file."""
    return [
        pool.bounded_call(limits.reader_cpu_seconds, read_guarded, name, data, limits)
        for name, data in files
    ]


def _workers(workers: int | None) -> int:
    return max(1, workers if workers is not None else (os.cpu_count() or 1))


def parse_many(
    files: list[tuple[str, bytes]], limits: Limits, workers: int | None = None
) -> list[ParsedSubmission]:
    """Parse many files, in order, in the bounded worker processes (:mod:`tasks.intake.pool`),
    never in this one: a file that kills its worker costs that file only. The files of a
    chunk whose worker died are read again one by one; the one that kills a worker twice
    is rejected (``file_crashes_reader``)."""
    workers = _workers(workers)
    chunk = max(1, min(64, len(files) // (workers * 8)))
    futures = [
        pool.submit(workers, limits.reader_memory_bytes, _read_chunk, files[i : i + chunk], limits)
        for i in range(0, len(files), chunk)
    ]
    out: list[ParsedSubmission | None] = []
    for i, future in zip(range(0, len(files), chunk), futures, strict=True):
        try:
            out += future.result()
        except Exception:  # the worker died under one of these files: read them alone
            out += [None] * len(files[i : i + chunk])
    return [done or read_alone(*files[i], limits, workers) for i, done in enumerate(out)]


def read_alone(name: str, data: bytes, limits: Limits, workers: int) -> ParsedSubmission:
    """Read one file with nothing else in flight, so a worker's death is its doing; once
    more after a first death, then it is rejected."""
    for _ in range(2):
        future = pool.submit(
            workers, limits.reader_memory_bytes, _read_chunk, [(name, data)], limits
        )
        try:
            return future.result()[0]
        except Exception:  # the pool does not say how its worker ended
            pool.reset(workers, limits.reader_memory_bytes)
    out = ParsedSubmission(filename=name, format=file_format(name))
    out.problems.append(
        crashes_reader(
            "the reader process ended abruptly: a native crash, or past its limit of "
            f"{limits.reader_memory_mb} MB or {limits.reader_cpu_seconds} s of CPU"
        )
    )
    return out


AHEAD_MAX = 4000  # files parsed ahead at most (a national quarter; a backfill is not)
AHEAD_CHUNK = 32
_AHEAD: dict[tuple[str, str], tuple[Future[list[ParsedSubmission]], int, Limits]] = {}


def parse_ahead(
    files: list[tuple[str, str, bytes]], limits: Limits, workers: int | None = None
) -> int:
    """Start parsing ``(sha256, filename, bytes)`` in the pool now, for :func:`take_ahead`
    to pick up later in this process; how many were started. ``chiso run`` does this while
    it archives: parsing then uses a core that would wait (the API has no events to take
    yet), and deciding the batch finds most files parsed. Nothing is started past
    :data:`AHEAD_MAX` files, nor without a second core."""
    workers = _workers(workers)
    room = AHEAD_MAX - len(_AHEAD)
    if workers < 2 or room <= 0:
        return 0
    files = files[:room]
    for start in range(0, len(files), AHEAD_CHUNK):
        chunk = files[start : start + AHEAD_CHUNK]
        future = pool.submit(
            workers, limits.reader_memory_bytes, _read_chunk, [(n, d) for _, n, d in chunk], limits
        )
        for i, (sha, name, _) in enumerate(chunk):
            _AHEAD[(sha, name)] = (future, i, limits)
    return len(files)


def take_ahead(sha256: str, filename: str, limits: Limits) -> ParsedSubmission | None:
    """The submission parsed ahead from these bytes under these limits, once (else None:
    the caller parses it)."""
    found = _AHEAD.pop((sha256, filename), None)
    if found is None or found[2] != limits:
        return None
    future, index, _ = found
    try:
        return future.result()[index]
    except Exception:  # a worker died under this chunk: parse it again the ordinary way
        return None


def forget_ahead() -> None:
    """Drop what was parsed ahead and not taken (a run that did not decide it)."""
    _AHEAD.clear()
