"""Reading a batch of submissions back from the archive (``raw/``) and parsing it in the
reader pool: a slice fetched while the one before is parsed."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from expectations.frames import Item
from models.form import ParsedSubmission
from models.problems import Code, problem
from models.submission import Submission
from tasks.intake.bounds import parsed_size
from tasks.intake.filesafety import check_size
from tasks.intake.readers import Readers
from tasks.objects.many import get_all
from tasks.objects.store import ObjectStore

log = logging.getLogger(__name__)
FETCH_SLICE = 250  # archived files fetched at once; the pool parses them as the next come
BATCH_BYTES = 512 * 1024 * 1024  # what a batch's parsed files may cost (32 MB at most each)


def read_items(
    store: ObjectStore,
    subs: list[Submission],
    readers: Readers,
    slice_size: int = FETCH_SLICE,
    budget: int = BATCH_BYTES,
) -> list[Item]:
    """Parse submissions from their archived bytes (an oversized file is never read), or
    take them as parsed ahead from the same bytes while they were collected; the archived
    files are fetched ``slice_size`` at a time, each slice parsed while the next comes.

    A batch is sized by memory as well as by count: once what has been parsed costs more
    than ``budget`` bytes (:func:`tasks.intake.bounds.parsed_size`), no further slice is
    fetched, and the items returned are the batch's first ones within the budget (at
    least one); the others stay pending, for the next batch."""
    max_bytes = readers.limits.max_file_bytes
    too_large = {s.id: p for s in subs if (p := check_size(s.size_bytes, max_bytes))}
    parsed = {
        s.id: done
        for s in subs
        if s.id not in too_large
        and (done := readers.take_ahead(s.content_sha256, s.filename)) is not None
    }
    readable = [s for s in subs if s.id not in too_large and s.id not in parsed]
    sizes = {sid: _cost(p) for sid, p in parsed.items()}
    spent = sum(sizes.values())
    fetched: list[bytes | None] = []
    flight: deque[tuple[list[tuple[Submission, bytes | None]], Callable[[], list[Any]]]] = deque()

    def settle() -> int:
        part, results = flight.popleft()
        got = iter(results())
        cost = 0
        for sub, blob in part:
            if blob is not None:
                parsed[sub.id] = next(got)
                sizes[sub.id] = _cost(parsed[sub.id])
                cost += sizes[sub.id]
        return cost

    for start in range(0, len(readable), slice_size):
        if spent > budget:
            break
        part = _archived(store, readable[start : start + slice_size])
        fetched += [b for _, b in part]
        flight.append((part, readers.start([(s.filename, b) for s, b in part if b is not None])))
        if len(flight) > 1:  # one slice parsed while the next is fetched, no more
            spent += settle()
    while flight:
        spent += settle()
    if len(fetched) > 1 and all(b is None for b in fetched):
        raise RuntimeError("the object store returns none of the archived files")
    read = {s.id for s in readable[: len(fetched)]}
    items: list[Item] = []
    cost = 0
    for sub in subs:
        if sub.id in too_large:
            found = ParsedSubmission(filename=sub.filename, format=sub.format)
            found.problems.append(too_large[sub.id])
        elif sub.id in parsed:
            found = parsed[sub.id]
        elif sub.id in read:  # fetched, and its archived bytes are gone (see _archived)
            found = ParsedSubmission(filename=sub.filename, format=sub.format)
            found.problems.append(problem(Code.INTERNAL_ERROR, value="archive"))
            found.internal = f"the archived bytes {sub.object_key} cannot be read"
        else:
            break  # not fetched: past the budget
        cost += sizes.get(sub.id, 0)  # a file too large or gone carries one problem
        if items and cost > budget:
            break
        items.append(Item(sub.id, found, sub.path_unit, sub.path_period))
    return items


def _cost(parsed: ParsedSubmission) -> int:
    """What a parsed file costs to hold: as its reader measured it (in the pool, against
    its budget), else measured now."""
    return parsed.cost or parsed_size(parsed)


def _archived(store: ObjectStore, subs: list[Submission]) -> list[tuple[Submission, bytes | None]]:
    """Each submission with its archived bytes; ``None`` for one whose object cannot be
    read (someone deleted it: that submission's failure, not the run's, unless none of
    the batch can be read: see :func:`read_items`)."""
    keys = [s.object_key for s in subs]
    try:
        return list(zip(subs, get_all(store, keys), strict=True))
    except Exception:
        pass
    out: list[tuple[Submission, bytes | None]] = []
    for sub in subs:
        try:
            out.append((sub, store.get(sub.object_key)))
        except Exception:
            log.exception("archived object %s cannot be read", sub.object_key)
            out.append((sub, None))
    return out
