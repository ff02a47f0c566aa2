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
from models.submission import Submission
from tasks.objectstore import ObjectStore, in_threads
from tasks.parse import Limits, file_format, parse_ahead
from tasks.sources import FoundFile

_SAFE = re.compile(r"[^0-9A-Za-z._-]")


def submission_id(source_uri: str, sha256: str) -> str:
    """Stable id from the file's location and content (same on every database)."""
    return hashlib.sha256(f"{source_uri}\n{sha256}".encode()).hexdigest()[:24]


def place(path_unit: str | None, path_period: str | None) -> str:
    """``<unit>/<period>`` as the path gave them, or ``_unplaced``."""
    if not (path_unit and path_period):
        return "_unplaced"
    return f"{_SAFE.sub('_', path_unit)}/{_SAFE.sub('_', path_period)}"


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


def _hash(found: FoundFile, max_bytes: int) -> tuple[str, bytes | None]:
    """The sha256 and, when small enough to parse, the bytes."""
    digest = hashlib.sha256()
    with found.opener() as f:
        head = f.read(max_bytes + 1)
        digest.update(head)
        if len(head) <= max_bytes:
            return digest.hexdigest(), head
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest(), None


@dataclass(frozen=True)
class Match:
    """How a found file relates to what is registered."""

    submission_id: str
    known: bool
    sha256: str | None = None  # read only when the source's ETag did not identify it
    data: bytes | None = None  # the bytes, when small enough to parse


class Known:
    """The submissions already registered, by id and by (source, ETag), loaded once."""

    def __init__(self, engine: Engine) -> None:
        with Session(engine) as s:
            self.ids = set(s.exec(select(Submission.id)).all())
            rows = s.exec(
                select(Submission.source_uri, Submission.source_etag, Submission.id).where(
                    col(Submission.source_etag).is_not(None)
                )
            ).all()
        self.tagged = {(uri, etag): sid for uri, etag, sid in rows}

    def match(self, found: FoundFile, max_bytes: int) -> Match:
        """Known objects of a source with ETags are recognised without reading them."""
        if found.etag and (found.source_uri, found.etag) in self.tagged:
            return Match(self.tagged[(found.source_uri, found.etag)], True)
        sha, data = _hash(found, max_bytes)
        sid = submission_id(found.source_uri, sha)
        return Match(sid, sid in self.ids, sha, data)

    def remember(self, sid: str, found: FoundFile) -> None:
        self.ids.add(sid)
        if found.etag:
            self.tagged[(found.source_uri, found.etag)] = sid


def _archive(new: list[tuple[FoundFile, Match]], store: ObjectStore, workers: int) -> list[str]:
    """The ``raw/`` key of each new file, its bytes archived: the small ones (already read)
    in one group write, the large ones streamed, in threads."""
    keys = [raw_key(f, m.sha256 or "") for f, m in new]
    small = [(k, m.data, None) for k, (_, m) in zip(keys, new, strict=True) if m.data is not None]
    store.put_many(small, if_absent=True)

    def stream(fk: tuple[FoundFile, str]) -> None:
        found, key = fk
        if not store.exists(key):
            with found.opener() as f:
                store.put_stream(key, f)

    large = [(f, k) for k, (f, m) in zip(keys, new, strict=True) if m.data is None]
    in_threads(stream, large, workers)
    return keys


def register(
    found: list[FoundFile],
    known: Known,
    store: ObjectStore,
    engine: Engine,
    max_bytes: int,
    workers: int = 8,
    ahead: Limits | None = None,
) -> list[Registered]:
    """Archive the bytes of each new file under ``raw/``, then record them all as received
    in one transaction (a crash in between leaves archived bytes a rerun reuses). With
    ``ahead``, the new files start parsing in the pool meanwhile (:func:`parse_ahead`)."""
    matches = [known.match(f, max_bytes) for f in found]
    new = [(f, m) for f, m in zip(found, matches, strict=True) if not m.known]
    if ahead is not None:
        parse_ahead(
            [(m.sha256, f.filename, m.data) for f, m in new if m.sha256 and m.data is not None],
            ahead,
        )
    keys = _archive(new, store, workers)
    now = datetime.now(UTC)
    rows: list[dict[str, object]] = [
        {
            "id": m.submission_id,
            "source_uri": f.source_uri,
            "source_etag": f.etag,
            "content_sha256": m.sha256,
            "filename": f.filename,
            "format": file_format(f.filename),
            "size_bytes": f.size,
            "object_key": key,
            "path_unit": f.path_unit,
            "path_period": f.path_period,
            "received_at": f.received_at,
            "collected_at": now,
            "status": "received",
            "problems": [],
        }
        for (f, m), key in zip(new, keys, strict=True)
    ]
    with Session(engine) as session:
        upsert(session, Submission, rows, ["id"], update=[])
        session.commit()
    for f, m in new:
        known.remember(m.submission_id, f)
    return [
        Registered(m.submission_id, f.path_unit, f.path_period, new=not m.known)
        for f, m in zip(found, matches, strict=True)
    ]
