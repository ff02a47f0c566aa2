"""Migrations from empty, and the idempotent upsert, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from sqlalchemy import Engine, inspect
from sqlmodel import Session, select

from models.db import current_revision, make_engine, metadata, upgrade, upsert
from models.submission import ReportedFigure, Submission


def test_upgrade_from_empty_creates_every_table(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    upgrade(engine)
    upgrade(engine)  # a second upgrade is a no-op
    assert current_revision(engine) == "0005"
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


def test_bulk_insert_stores_rows_as_the_orm_does(db_url: str) -> None:
    from datetime import date

    from sqlalchemy import text

    from models.db import insert_rows
    from models.submission import EnterpriseRecord

    engine = make_engine(db_url)
    upgrade(engine)
    now = datetime(2025, 10, 1, tzinfo=UTC)
    with Session(engine) as s:
        for sid in ("bulk", "orm"):
            s.add(
                Submission(
                    id=sid,
                    source_uri=f"file:///x/703/2025Q3/{sid}.json",
                    content_sha256=sid * 8,
                    filename="a.json",
                    format="json",
                    size_bytes=10,
                    object_key="raw/k",
                    received_at=now,
                    collected_at=now,
                    status="accepted",
                    problems=[],
                )
            )
        s.commit()
    rows = [
        {
            "tax_code": "0100233488",
            "enterprise_code": "0100233488",
            "name": "Công ty Ánh Dương",
            "type": "ICT",
            "dx_capable": True,
            "established_on": date(2019, 3, 4),
            "status": "active",
            "main_products": None,
            "row": 2,
        },
        {
            "tax_code": "0314409058-002",
            "enterprise_code": "0314409058",
            "name": "Chi nhánh",
            "type": "DIGITAL_STARTUP",
            "dx_capable": False,
            "established_on": None,
            "status": "active",
            "main_products": "phần mềm",
            "row": 3,
        },
    ]
    table = EnterpriseRecord.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        insert_rows(conn, table, [{"submission_id": "bulk", **r} for r in rows])
        upsert(
            conn,
            EnterpriseRecord,
            [{"submission_id": "orm", **r} for r in rows],
            ["submission_id", "tax_code"],
        )
    with Session(engine) as s:
        got = {
            sid: [
                e.model_dump(exclude={"submission_id"})
                for e in s.exec(
                    select(EnterpriseRecord)
                    .where(EnterpriseRecord.submission_id == sid)
                    .order_by(EnterpriseRecord.row)
                ).all()
            ]
            for sid in ("bulk", "orm")
        }
    with engine.connect() as conn:  # the stored bytes too, not only what the ORM reads back
        q = "SELECT established_on, dx_capable FROM enterprise_record WHERE submission_id = :s"
        stored = {
            sid: sorted(map(tuple, conn.execute(text(q), {"s": sid})), key=str)
            for sid in ("bulk", "orm")
        }
    engine.dispose()
    assert got["bulk"] == got["orm"] and got["bulk"][0]["established_on"] == date(2019, 3, 4)
    assert stored["bulk"] == stored["orm"]


def test_the_migrations_build_exactly_the_models_schema(engine: Engine) -> None:
    # what Alembic's autogenerate would write after the migrations: nothing (a migration
    # that drops an index, or a model column no migration adds, shows up here)
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata()) == []


def test_the_migrations_build_exactly_the_models_tables(db_url: str) -> None:
    """No drift between the tables the migrations make and the SQLModel tables."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata()) == []
    engine.dispose()
