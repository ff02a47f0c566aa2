"""When chiso last looked at each source: the earliest a newly seen file can have arrived."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.db import upsert
from models.submission import SourceScan


def source_key(uri: str) -> str:
    """A source's key: the sha256 of its URI (a URI may be longer than any index allows)."""
    return hashlib.sha256(uri.encode("utf-8", "surrogateescape")).hexdigest()


def last_scans(engine: Engine, uris: list[str]) -> dict[str, datetime]:
    """The start of the last completed look at each source, by URI (absent: never)."""
    keys = {source_key(u): u for u in uris}
    with Session(engine) as s:
        rows = s.exec(select(SourceScan).where(col(SourceScan.source_key).in_(keys))).all()
    return {keys[r.source_key]: r.scanned_at for r in rows}


def record_scans(engine: Engine, started: dict[str, datetime]) -> None:
    """Record looks at sources that completed (their files all registered or skipped)."""
    rows = [{"source_key": source_key(u), "scanned_at": t} for u, t in started.items()]
    if not rows:
        return
    with Session(engine) as s:
        upsert(s, SourceScan, rows, ["source_key"], update=["scanned_at"])
        s.commit()
