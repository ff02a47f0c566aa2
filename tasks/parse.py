"""Parse one submission file (XLSX or JSON) into the typed form; never raises on content."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import PurePosixPath

from models.form import ParsedSubmission
from models.problems import problem
from tasks.filesafety import check_size, check_workbook
from tasks.jsondoc import read_json
from tasks.xlsx import read_xlsx

FORMATS = (".xlsx", ".json")


@dataclass(frozen=True)
class Limits:
    """Size limits applied before parsing."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024


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
        unsafe = check_workbook(data, limits.max_unpacked_bytes)
        if unsafe:
            out.problems.append(unsafe)
            return out
        read_xlsx(data, out)
    else:
        read_json(data, out)
    return out


POOL_MIN = 64  # fewer files are parsed in-process (a pool's start costs more than it saves)
_POOL: list[ProcessPoolExecutor] = []


def _parse_args(args: tuple[str, bytes, Limits]) -> ParsedSubmission:
    return parse_file(*args)


def _pool(workers: int) -> ProcessPoolExecutor:
    """The process's parser pool, started once (forkserver: no copy of the parent's threads
    and locks; the server process imports the parsers once)."""
    if not _POOL:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["tasks.parse"])
        _POOL.append(
            ProcessPoolExecutor(
                max_workers=workers,
                mp_context=ctx,
                initializer=_leave_with,
                initargs=(os.getpid(),),
            )
        )
    return _POOL[0]


ORPHAN_CHECK_S = 2.0


def _leave_with(owner: int) -> None:
    """In a pool worker: exit once the process that owns the pool is gone. A worker waits on
    its task queue, whose writing end it holds itself, and keeps the forkserver alive; so
    an owner killed with SIGKILL, which cannot stop its pool, used to leave three idle
    processes behind for good (one set per killed ``chiso run``)."""

    def watch() -> None:
        while True:
            time.sleep(ORPHAN_CHECK_S)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # alive, another user's: not ours to judge
                pass

    threading.Thread(target=watch, name="chiso-pool-owner", daemon=True).start()


def parse_many(
    files: list[tuple[str, bytes]], limits: Limits, workers: int | None = None
) -> list[ParsedSubmission]:
    """Parse many files, in order; in a process pool sized to the cores when there are
    enough files and cores (parsing is pure Python and holds the GIL)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(files) < POOL_MIN:
        return [parse_file(name, data, limits) for name, data in files]
    chunk = max(1, min(64, len(files) // (workers * 8)))
    args = [(name, data, limits) for name, data in files]
    return list(_pool(workers).map(_parse_args, args, chunksize=chunk))


AHEAD_MAX = 4000  # files parsed ahead at most (a national quarter; a backfill is not)
AHEAD_CHUNK = 32
_AHEAD: dict[tuple[str, str], tuple[Future[list[ParsedSubmission]], int, Limits]] = {}


def _parse_chunk(files: list[tuple[str, bytes]], limits: Limits) -> list[ParsedSubmission]:
    return [parse_file(name, data, limits) for name, data in files]


def parse_ahead(
    files: list[tuple[str, str, bytes]], limits: Limits, workers: int | None = None
) -> int:
    """Start parsing ``(sha256, filename, bytes)`` in the pool now, for :func:`take_ahead`
    to pick up later in this process; how many were started. ``chiso run`` does this while
    it archives: parsing then uses a core that would wait (the API has no events to take
    yet), and deciding the batch finds most files parsed. Nothing is started past
    :data:`AHEAD_MAX` files, nor without a second core."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    room = AHEAD_MAX - len(_AHEAD)
    if workers < 2 or room <= 0:
        return 0
    files = files[:room]
    for start in range(0, len(files), AHEAD_CHUNK):
        chunk = files[start : start + AHEAD_CHUNK]
        future = _pool(workers).submit(_parse_chunk, [(n, d) for _, n, d in chunk], limits)
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
    except Exception:  # a broken pool: parse it again the ordinary way
        return None


def forget_ahead() -> None:
    """Drop what was parsed ahead and not taken (a run that did not decide it)."""
    _AHEAD.clear()
