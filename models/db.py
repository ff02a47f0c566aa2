"""Database engine, migrations and the portable upsert every write goes through."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, inspect, types
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for chiso's database; SQLite files get WAL, foreign keys and a busy wait."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (creates every table from empty)."""
    from alembic import command

    cfg = _alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or ``None`` when never migrated."""
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def upsert(
    bind: Session | Connection,
    model: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    keys: Iterable[str],
    update: Iterable[str] | None = None,
) -> None:
    """Insert ``rows`` or update them on their natural key (executemany, idempotent)."""
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    dialect = (bind.dialect if isinstance(bind, Connection) else bind.get_bind().dialect).name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    keys = list(keys)
    cols = [c for c in (update if update is not None else rows[0].keys()) if c not in keys]
    if cols:
        stmt = stmt.on_conflict_do_update(
            index_elements=keys, set_={c: stmt.excluded[c] for c in cols}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    bind.execute(stmt, list(rows))


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new rows in bulk: ``COPY`` on PostgreSQL (psycopg adapts each value),
    elsewhere one DB-API ``executemany`` of tuples, dates and booleans stored as SQLAlchemy
    stores them on SQLite (``YYYY-MM-DD``, 0/1). For tables of plain values: text, numbers,
    booleans and dates (no JSON or timestamps). A national batch has 80,000 figure and
    roster rows and a published period 43,615 indicator values; SQLAlchemy's per-row
    parameter handling cost more than the database's own insert."""
    if not rows:
        return
    cols = [c for c in table.columns if c.name in rows[0]]  # rows may hold other keys
    names = [c.name for c in cols]
    get = itemgetter(*names)
    pick: Callable[[dict[str, Any]], tuple[Any, ...]] = (
        get if len(names) > 1 else lambda row: (get(row),)
    )
    columns = ", ".join(names)
    raw: Any = conn.connection.dbapi_connection  # in the connection's transaction
    cur = raw.cursor()
    try:
        if conn.dialect.name == "postgresql":
            with cur.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(pick(row))
            return
        values = [pick(row) for row in rows]
        convert = [(i, f) for i, c in enumerate(cols) if (f := _sqlite_value(c)) is not None]
        if convert:
            values = [_converted(v, convert) for v in values]
        marks = ", ".join("?" for _ in names)
        cur.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", values)
    finally:
        cur.close()


def _converted(
    values: tuple[Any, ...], convert: list[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    out = list(values)
    for i, f in convert:
        out[i] = f(out[i])
    return tuple(out)


def _sqlite_value(column: Any) -> Callable[[Any], Any] | None:
    """How a column's value is stored on SQLite, as SQLAlchemy's own types store it (None:
    as it is)."""
    kind = column.type
    if isinstance(kind, (types.DateTime, types.JSON)):
        raise TypeError(f"insert_rows: {column.name} needs SQLAlchemy's conversion")
    if isinstance(kind, types.Date):
        return lambda v: None if v is None else f"{v.year:04d}-{v.month:02d}-{v.day:02d}"
    if isinstance(kind, types.Boolean):
        return lambda v: None if v is None else int(bool(v))
    return None


def metadata() -> Any:
    """The metadata of every chiso table (imports the table modules)."""
    from models import account, mail, publication, reference, submission  # noqa: F401

    return SQLModel.metadata
