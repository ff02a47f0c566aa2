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
from tasks.objectstore import ObjectStore
from tasks.parse import file_format
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


def register(
    found: FoundFile, known: Known, store: ObjectStore, engine: Engine, max_bytes: int
) -> Registered:
    """Archive the bytes under ``raw/`` and record the submission; a no-op when known."""
    match = known.match(found, max_bytes)
    if match.known:
        return Registered(match.submission_id, found.path_unit, found.path_period, new=False)
    sid, sha, data = match.submission_id, match.sha256, match.data
    assert sha is not None  # an unknown file has always been read
    key = raw_key(found, sha)
    if not store.exists(key):
        if data is not None:
            store.put_if_absent(key, data)
        else:
            with found.opener() as f:
                store.put_stream(key, f)
    row: dict[str, object] = {
        "id": sid,
        "source_uri": found.source_uri,
        "source_etag": found.etag,
        "content_sha256": sha,
        "filename": found.filename,
        "format": file_format(found.filename),
        "size_bytes": found.size,
        "object_key": key,
        "path_unit": found.path_unit,
        "path_period": found.path_period,
        "received_at": found.received_at,
        "collected_at": datetime.now(UTC),
        "status": "received",
        "problems": [],
    }
    with Session(engine) as session:
        upsert(session, Submission, [row], ["id"], update=[])
        session.commit()
    known.remember(sid, found)
    return Registered(sid, found.path_unit, found.path_period, new=True)
