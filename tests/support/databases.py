"""Database fixtures: a fresh SQLite file, and a throwaway PostgreSQL database per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from models.db import make_engine

PG_ADMIN_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)


def _pg_admin() -> Engine | None:
    for url in PG_ADMIN_URLS:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect():
                return engine
        except Exception:
            engine.dispose()
    return None


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'chiso.db'}"


@contextmanager
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of its own, dropped afterwards."""
    admin = _pg_admin()
    if admin is None:
        pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432 (.ci/run starts it)")
    name = f"chiso_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on both databases."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@contextmanager
def chiso_database(kind: str) -> Iterator[str]:
    """Point chiso's flows at ``kind``: the home's SQLite file, or a fresh PostgreSQL."""
    with pytest.MonkeyPatch.context() as mp:
        if kind == "sqlite":
            mp.delenv("CHISO_DATABASE_URL", raising=False)
            yield "sqlite"
            return
        with pg_database() as url:
            mp.setenv("CHISO_DATABASE_URL", url)
            yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def chiso_db(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a flow-tier test on both databases (PostgreSQL through CHISO_DATABASE_URL)."""
    with chiso_database(request.param) as kind:
        yield kind


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db(request: pytest.FixtureRequest) -> Iterator[str]:
    """The same, for module-scoped fixtures that run a whole pipeline once."""
    with chiso_database(request.param) as kind:
        yield kind
