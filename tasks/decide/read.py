"""Reading a batch of submissions back from the archive (``raw/``) and parsing it in the
reader pool: a slice fetched while the one before is parsed."""

from __future__ import annotations

import logging

from expectations.frames import Item
from models.form import ParsedSubmission
from models.problems import Code, problem
from models.submission import Submission
from tasks.intake.filesafety import check_size
from tasks.intake.readers import Readers
from tasks.objects.many import get_all
from tasks.objects.store import ObjectStore

log = logging.getLogger(__name__)
FETCH_SLICE = 250  # archived files fetched at once; the pool parses them as the next come


def read_items(
    store: ObjectStore, subs: list[Submission], readers: Readers, slice_size: int = FETCH_SLICE
) -> list[Item]:
    """Parse submissions from their archived bytes (an oversized file is never read), or
    take them as parsed ahead from the same bytes while they were collected; the archived
    files are fetched ``slice_size`` at a time, each slice parsed while the next comes."""
    max_bytes = readers.limits.max_file_bytes
    too_large = {s.id: p for s in subs if (p := check_size(s.size_bytes, max_bytes))}
    parsed = {
        s.id: done
        for s in subs
        if s.id not in too_large
        and (done := readers.take_ahead(s.content_sha256, s.filename)) is not None
    }
    readable = [s for s in subs if s.id not in too_large and s.id not in parsed]
    # fetched a slice at a time, each slice parsed in the pool while the next is fetched
    blobs: list[bytes | None] = []
    started = []
    for start in range(0, len(readable), slice_size):
        part = _archived(store, readable[start : start + slice_size])
        blobs += [b for _, b in part]
        started.append(readers.start([(s.filename, b) for s, b in part if b is not None]))
    if len(blobs) > 1 and all(b is None for b in blobs):
        raise RuntimeError("the object store returns none of the archived files")
    read = iter(r for results in started for r in results())
    for sub, blob in zip(readable, blobs, strict=True):
        if blob is not None:
            parsed[sub.id] = next(read)
    for sub in subs:
        if sub.id in too_large:
            parsed[sub.id] = ParsedSubmission(filename=sub.filename, format=sub.format)
            parsed[sub.id].problems.append(too_large[sub.id])
        elif sub.id not in parsed:  # its archived bytes are gone (see _archived)
            parsed[sub.id] = ParsedSubmission(filename=sub.filename, format=sub.format)
            parsed[sub.id].problems.append(problem(Code.INTERNAL_ERROR, value="archive"))
            parsed[sub.id].internal = f"the archived bytes {sub.object_key} cannot be read"
    return [Item(s.id, parsed[s.id], s.path_unit, s.path_period) for s in subs]


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
