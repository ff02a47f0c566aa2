"""Claim pending submissions so concurrent processors never decide the same one twice.

On PostgreSQL each claimed submission holds a session-level advisory lock on the
claimer's own connection (``pg_try_advisory_lock``: the SKIP LOCKED of advisory locks);
another processor skips it, and a crashed processor's claims vanish with its connection,
so nothing is left stuck. On SQLite, processing runs on one database file are
serialised by a file lock beside it. Either way the decision itself only applies to a
submission still ``received``.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text

from models.submission import Submission
from tasks.decide.store import pending


def lock_key(submission_id: str) -> int:
    """A signed 64-bit advisory-lock key for a submission id."""
    return int(hashlib.sha256(f"chiso:{submission_id}".encode()).hexdigest()[:15], 16)


class Claimer:
    """Hands out batches of pending submissions this process alone may decide."""

    def __init__(self, engine: Engine, conn: Connection | None) -> None:
        self.engine, self.conn = engine, conn

    def batch(self, limit: int) -> list[Submission]:
        if self.conn is None:
            return pending(self.engine, limit)
        self.conn.execute(text("SELECT pg_advisory_unlock_all()"))
        claimed: list[Submission] = []
        offset = 0
        while len(claimed) < limit:
            window = pending(self.engine, limit * 2, offset)
            if not window:
                break
            offset += len(window)
            keys = {sub.id: lock_key(sub.id) for sub in window}
            # one round trip per window, not per submission; the scan stops locking once
            # enough are held (a lock taken past that would only be released at the next
            # batch: another processor skips that submission meanwhile, nothing more)
            got = set(
                self.conn.execute(
                    text(
                        "SELECT k FROM unnest(CAST(:keys AS bigint[])) AS k "
                        "WHERE pg_try_advisory_lock(k) LIMIT :n"
                    ),
                    {"keys": list(keys.values()), "n": limit - len(claimed)},
                ).scalars()
            )
            claimed += [sub for sub in window if keys[sub.id] in got]
        return claimed


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """Serialise processing runs on one SQLite file (an exclusive lock beside it)."""
    db = engine.url.database
    if not db or db == ":memory:":
        yield
        return
    with open(f"{db}.process.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextmanager
def claimer(engine: Engine) -> Iterator[Claimer]:
    """A claimer for the duration of a processing run (releases every claim at the end)."""
    if engine.dialect.name != "postgresql":
        with _file_lock(engine):
            yield Claimer(engine, None)
        return
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            yield Claimer(engine, conn)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock_all()"))
