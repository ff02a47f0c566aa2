"""Reading many files in the bounded reader processes (:mod:`tasks.intake.pool`), never in
this one: a file that kills its worker costs that file only."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future

from models.form import ParsedSubmission
from models.problems import Code, problem
from tasks.intake.limits import Limits
from tasks.intake.parse import crashes_reader, file_format, read_chunk
from tasks.intake.pool import ReaderPool

AHEAD_MAX = 4000  # files parsed ahead at most (a national quarter; a backfill is not)
AHEAD_CHUNK = 32


class Readers:
    """The readers of one configuration: its limits, its pool of reader processes, and
    the files parsed ahead of their decision (:meth:`start_ahead`)."""

    def __init__(self, limits: Limits, workers: int | None = None) -> None:
        self.limits = limits
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self.pool = ReaderPool(self.workers, limits.reader_memory_bytes)
        self._ahead: dict[tuple[str, str], tuple[Future[list[ParsedSubmission]], int]] = {}

    def _submit(self, files: list[tuple[str, bytes]]) -> Future[list[ParsedSubmission]]:
        return self.pool.submit(read_chunk, files, self.limits)

    def many(self, files: list[tuple[str, bytes]]) -> list[ParsedSubmission]:
        """Parse ``(filename, bytes)`` files, in order. The files of a chunk whose worker
        died are read again one by one; the one that kills a worker twice is rejected
        (``file_crashes_reader``)."""
        return self.start(files)()

    def start(self, files: list[tuple[str, bytes]]) -> Callable[[], list[ParsedSubmission]]:
        """Start parsing ``files`` in the pool now; the returned call waits for them and
        gives what :meth:`many` gives (so the caller can fetch the next files meanwhile)."""
        chunk = max(1, min(64, len(files) // (self.workers * 8)))
        futures = [self._submit(files[i : i + chunk]) for i in range(0, len(files), chunk)]

        def results() -> list[ParsedSubmission]:
            out: list[ParsedSubmission | None] = []
            for i, future in zip(range(0, len(files), chunk), futures, strict=True):
                try:
                    out += future.result()
                except Exception:  # the worker died under one of these files: read alone
                    out += [None] * len(files[i : i + chunk])
            return [done or self.alone(*files[i]) for i, done in enumerate(out)]

        return results

    def alone(self, name: str, data: bytes) -> ParsedSubmission:
        """Read one file with nothing else in flight, so a worker's death is its doing:
        past its CPU limit, the file is too costly to read (final: reading it again costs
        as much); after any other death once more, then it is rejected."""
        out = ParsedSubmission(filename=name, format=file_format(name))
        for _ in range(2):
            try:
                return self._submit([(name, data)]).result()[0]
            except Exception:  # the worker died: the pool's exit codes say how
                costly = self.pool.over_cpu()
                self.pool.reset()
                if costly:
                    seconds = self.limits.reader_cpu_seconds
                    out.problems.append(
                        problem(
                            Code.FILE_TOO_COSTLY,
                            value=f"more than {seconds} s of CPU",
                            expected=f"a file read within {seconds} s",
                        )
                    )
                    return out
        out.problems.append(
            crashes_reader(
                "the reader process ended abruptly: a native crash, or past its limit of "
                f"{self.limits.reader_memory_mb} MB of memory"
            )
        )
        return out

    def start_ahead(self, files: list[tuple[str, str, bytes]]) -> int:
        """Start parsing ``(sha256, filename, bytes)`` now, for :meth:`take_ahead` to pick
        up later; how many were started. ``chiso run`` does this while it archives:
        parsing then uses a core that would wait (the API has no events to take yet), and
        deciding the batch finds most files parsed. Nothing is started past
        :data:`AHEAD_MAX` files, nor without a second core."""
        room = AHEAD_MAX - len(self._ahead)
        if self.workers < 2 or room <= 0:
            return 0
        files = files[:room]
        for start in range(0, len(files), AHEAD_CHUNK):
            chunk = files[start : start + AHEAD_CHUNK]
            future = self._submit([(n, d) for _, n, d in chunk])
            for i, (sha, name, _) in enumerate(chunk):
                self._ahead[(sha, name)] = (future, i)
        return len(files)

    def take_ahead(self, sha256: str, filename: str) -> ParsedSubmission | None:
        """The submission parsed ahead from these bytes, once (else None: the caller
        parses it)."""
        found = self._ahead.pop((sha256, filename), None)
        if found is None:
            return None
        future, index = found
        try:
            return future.result()[index]
        except Exception:  # a worker died under this chunk: parse it again the ordinary way
            return None

    def forget_ahead(self) -> None:
        """Drop what was parsed ahead and not taken (a run that did not decide it)."""
        self._ahead.clear()

    def close(self) -> None:
        self._ahead.clear()
        self.pool.close()
