"""Progress of a long run, reported by the steps and shown by the CLI (a bar on a terminal)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
Reporter = Callable[[str, int, int], None]
_reporter: Reporter | None = None


def set_reporter(reporter: Reporter | None) -> None:
    """Install (or remove) the process's progress reporter."""
    global _reporter
    _reporter = reporter


def report_progress(stage: str, done: int, total: int) -> None:
    """Report ``done`` of ``total`` for ``stage`` (no-op without a reporter)."""
    if _reporter is not None:
        _reporter(stage, done, total)


def track(items: Iterable[T], stage: str, total: int) -> Iterator[T]:
    """Yield ``items``, reporting ``stage`` progress after each."""
    for n, item in enumerate(items, start=1):
        yield item
        if _reporter is not None:
            _reporter(stage, n, total)
