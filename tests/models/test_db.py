"""Migrations from empty, and the idempotent upsert, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from sqlalchemy import inspect
from sqlmodel import Session, select

from models.db import current_revision, make_engine, metadata, upgrade, upsert
from models.submission import ReportedFigure, Submission


def test_upgrade_from_empty_creates_every_table(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    upgrade(engine)
    upgrade(engine)  # a second upgrade is a no-op
    assert current_revision(engine) == "0001"
    tables = set(inspect(engine).get_table_names())
    assert set(metadata().tables) <= tables
    engine.dispose()


def test_upsert_is_idempotent_and_updates(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    now = datetime(2025, 10, 1, tzinfo=UTC)
    sub = {
        "id": "s1",
        "source_uri": "file:///x/703/2025Q3/a.json",
        "content_sha256": "ab" * 32,
        "filename": "a.json",
        "format": "json",
        "size_bytes": 10,
        "object_key": "raw/k",
        "received_at": now,
        "collected_at": now,
        "status": "accepted",
        "problems": [],
    }
    with Session(engine) as s:
        upsert(s, Submission, [sub], ["id"], update=[])
        upsert(s, Submission, [sub], ["id"], update=[])
        rows = [{"submission_id": "s1", "code": "POPULATION", "value": 1, "note": None}]
        upsert(s, ReportedFigure, rows, ["submission_id", "code"])
        upsert(s, ReportedFigure, [{**rows[0], "value": 2}], ["submission_id", "code"])
        s.commit()
        assert s.exec(select(ReportedFigure)).one().value == 2
        assert len(s.exec(select(Submission)).all()) == 1
    engine.dispose()
