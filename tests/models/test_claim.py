"""Claims: concurrent processors get disjoint batches of pending submissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from models.db import make_engine, upgrade, upsert
from models.submission import Submission
from tasks.decide.claim import claimer


def _pending(url: str, n: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    start = datetime(2025, 10, 1, tzinfo=UTC)
    rows = [
        {
            "id": f"s{i:03d}",
            "source_uri": f"file:///x/703/2025Q3/{i}.json",
            "content_sha256": f"{i:064x}",
            "filename": f"{i}.json",
            "format": "json",
            "size_bytes": 10,
            "object_key": f"raw/{i}",
            "received_at": start + timedelta(minutes=i),
            "collected_at": start,
            "status": "received",
            "problems": [],
        }
        for i in range(n)
    ]
    with Session(engine) as s:
        upsert(s, Submission, rows, ["id"])
        s.commit()
    engine.dispose()


def test_two_claimers_get_disjoint_batches_in_decision_order(pg_url: str) -> None:
    _pending(pg_url, 12)
    a_engine, b_engine = make_engine(pg_url), make_engine(pg_url)
    with claimer(a_engine) as a, claimer(b_engine) as b:
        first = [s.id for s in a.batch(5)]
        second = [s.id for s in b.batch(5)]
        assert first == [f"s{i:03d}" for i in range(5)]  # oldest first
        assert second == [f"s{i:03d}" for i in range(5, 10)]  # skips a's claims
        assert [s.id for s in b.batch(5)] == second  # b's own claims are released first
        rest = [s.id for s in a.batch(20)]  # a released its claims; b still holds its five
        assert rest == [f"s{i:03d}" for i in (*range(5), 10, 11)]
    with claimer(a_engine) as a:  # every claim went with its claimer
        assert len(a.batch(20)) == 12
    a_engine.dispose()
    b_engine.dispose()
