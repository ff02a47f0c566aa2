"""Register newly seen files as submissions, archiving their bytes first."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.db import upsert
from models.problems import Code, problem
from models.submission import Status, Submission
from models.text import fit, fit_key
from tasks.intake.parse import file_format
from tasks.intake.readers import Readers
from tasks.intake.sources import FoundFile, Skipped, read_error
from tasks.objects.many import IO_THREADS, in_threads, on_disk
from tasks.objects.store import ObjectStore

_SAFE = re.compile(r"[^0-9A-Za-z._-]")
# the widths of the submission table's path columns; a longer segment is cut (and so can
# name no unit or quarter: the file is rejected for its path, with the folder shown)
PATH_UNIT_LEN, PATH_PERIOD_LEN, MAX_NAME = 32, 16, 255


def submission_id(source_uri: str, sha256: str) -> str:
    """Stable id from the file's location and content (same on every database)."""
    return hashlib.sha256(f"{source_uri}\n{sha256}".encode()).hexdigest()[:24]


def place(path_unit: str | None, path_period: str | None) -> str:
    """``<unit>/<period>`` as the path gave them, or ``_unplaced``."""
    if not (path_unit and path_period):
        return "_unplaced"
    return f"{_SAFE.sub('_', path_unit)}/{_SAFE.sub('_', path_period)}"


def intake_problems(found: FoundFile) -> list[dict[str, object]]:
    """What the unit is told of its file before it is read: a file time that could not be
    kept (in the future, before 1970, or no time at all) and the time used instead."""
    if found.stated_time is None:
        return []
    adjusted = problem(
        Code.RECEIVED_TIME_ADJUSTED,
        field="received_at",
        value=found.stated_time,
        expected="a time between 1970 and the time chiso collected the file, which was used",
    )
    return [adjusted.to_dict()]


def raw_key(found: FoundFile, sha256: str) -> str:
    ext = PurePosixPath(found.filename).suffix.lower().lstrip(".")
    ext = _SAFE.sub("_", ext) or "bin"
    return f"raw/{place(found.path_unit, found.path_period)}/{sha256}.{ext}"


@dataclass(frozen=True)
class Registered:
    """A file collected in this run."""

    submission_id: str
    unit: str | None
    period: str | None
    new: bool


def oversize_hash(found: FoundFile) -> str:
    """The identity of a file over the size limit, which is never read: its size and the
    source's own time (and ETag), hashed; a new file there gives a new one."""
    mark = f"oversize\n{found.size}\n{found.received_at.isoformat()}\n{found.etag or ''}"
    return hashlib.sha256(mark.encode()).hexdigest()


def _hash(found: FoundFile, max_bytes: int) -> tuple[str, bytes | None]:
    """The sha256 and the bytes; a file over ``max_bytes`` (listed so, or grown since) is
    not read past the limit, and has no bytes (see :func:`oversize_hash`)."""
    if found.size > max_bytes:
        return oversize_hash(found), None
    with found.opener() as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        return oversize_hash(found), None
    return hashlib.sha256(data).hexdigest(), data


@dataclass(frozen=True)
class Match:
    """How a found file relates to what is registered."""

    submission_id: str
    known: bool
    sha256: str | None = None  # read only when the source's ETag did not identify it
    data: bytes | None = None  # the bytes (None: known by its ETag, or over the limit)


class Known:
    """The submissions already registered, by id and by (source, ETag), loaded once; with
    ``uri``, only those of that one location (a file the portal registers alone)."""

    def __init__(self, engine: Engine, uri: str | None = None) -> None:
        at = [] if uri is None else [col(Submission.source_uri) == fit_key(uri)]
        with Session(engine) as s:
            self.ids = set(s.exec(select(Submission.id).where(*at)).all())
            rows = s.exec(
                select(Submission.source_uri, Submission.source_etag, Submission.id).where(
                    col(Submission.source_etag).is_not(None), *at
                )
            ).all()
        self.tagged = {(uri, etag): sid for uri, etag, sid in rows}

    def match(self, found: FoundFile, max_bytes: int) -> Match:
        """Known objects of a source with ETags are recognised without reading them."""
        tag = (fit_key(found.source_uri), found.etag)
        if found.etag and tag in self.tagged:
            return Match(self.tagged[tag], True)
        sha, data = _hash(found, max_bytes)
        sid = submission_id(found.source_uri, sha)
        return Match(sid, sid in self.ids, sha, data)

    def remember(self, sid: str, found: FoundFile) -> None:
        self.ids.add(sid)
        if found.etag:
            self.tagged[(fit_key(found.source_uri), found.etag)] = sid


def _archive(new: list[tuple[FoundFile, Match]], store: ObjectStore) -> list[str]:
    """The ``raw/`` key of each new file, its bytes archived in one group write; a file
    over the size limit is not archived (its key is empty): it is never read."""
    keys = [raw_key(f, m.sha256 or "") if m.data is not None else "" for f, m in new]
    store.put_many(
        [(k, m.data, None) for k, (_, m) in zip(keys, new, strict=True) if m.data is not None],
        if_absent=True,
    )
    return keys


def matches(
    found: list[FoundFile], known: Known, max_bytes: int
) -> tuple[list[tuple[FoundFile, Match]], list[Skipped]]:
    """Each readable file with its match; the files that could not be read this run (gone,
    unreadable, changed, refused) are skipped, to be looked at again next run. The files
    are read in threads (:data:`~tasks.objects.many.IO_THREADS` at a time): from an S3
    inbox one after the other, a national quarter's 3,321 took 21 s, a request's round trip
    each. Files on this machine's disk are read in this thread (:func:`on_disk`)."""

    def one(f: FoundFile) -> Match | Exception:
        try:
            return known.match(f, max_bytes)
        except Exception as exc:  # one file's trouble is that file's, never the run's
            return exc

    out, skipped = [], []
    workers = 1 if all(on_disk(f.source_uri) for f in found) else IO_THREADS
    for f, m in zip(found, in_threads(one, found, workers), strict=True):
        if isinstance(m, Exception):
            skipped.append(Skipped(f.shown, read_error(m)))
        else:
            out.append((f, m))
    return out, skipped


def register(
    found: list[FoundFile],
    known: Known,
    store: ObjectStore,
    engine: Engine,
    max_bytes: int,
    ahead: Readers | None = None,
) -> tuple[list[Registered], list[Skipped]]:
    """Archive the bytes of each new file under ``raw/``, then record them all as received
    in one transaction (a crash in between leaves archived bytes a rerun reuses). With
    ``ahead``, the new files start parsing in the pool meanwhile (:meth:`Readers.start_ahead`).
    Files that cannot be read now are skipped (and returned)."""
    matched, skipped = matches(found, known, max_bytes)
    new = [(f, m) for f, m in matched if not m.known]
    if ahead is not None:
        ahead.start_ahead(
            [(m.sha256, f.filename, m.data) for f, m in new if m.sha256 and m.data is not None]
        )
    keys = _archive(new, store)
    now = datetime.now(UTC)
    rows: list[dict[str, object]] = [
        {
            "id": m.submission_id,
            "source_uri": fit_key(f.source_uri),
            "source_etag": f.etag,
            "content_sha256": m.sha256,
            "filename": fit(f.filename, MAX_NAME),
            "format": file_format(f.filename),
            "size_bytes": f.size,
            "object_key": key,
            "path_unit": fit(f.path_unit, PATH_UNIT_LEN),
            "path_period": fit(f.path_period, PATH_PERIOD_LEN),
            "received_at": f.received_at,  # kept within [1970, the scan] by its source
            "collected_at": now,
            "seen_after": f.seen_after,
            "status": Status.RECEIVED,
            "problems": intake_problems(f),
        }
        for (f, m), key in zip(new, keys, strict=True)
    ]
    with Session(engine) as session:
        upsert(session, Submission, rows, ["id"], update=[])
        session.commit()
    for f, m in new:
        known.remember(m.submission_id, f)
    registered = [
        Registered(m.submission_id, f.path_unit, f.path_period, new=not m.known) for f, m in matched
    ]
    return registered, skipped
