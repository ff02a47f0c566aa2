"""A run killed with SIGKILL at any moment, then rerun, ends where an uninterrupted run does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from examples.sample_inbox import write_sample_inbox
from tests.support.databases import chiso_database
from tests.support.state import db_url, dump

CHISO = str(Path(sys.executable).parent / "chiso")


def _count(home: Path, sql: str) -> int:
    url = db_url(home)
    if url.startswith("sqlite") and not (home / "chiso.db").exists():
        return 0
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)
    except Exception:  # not migrated yet
        return 0
    finally:
        engine.dispose()


def _run(inbox: Path, home: Path, api: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PREFECT_API_URL": api}
    return subprocess.Popen(
        [CHISO, "run", "--inbox", str(inbox), "--home", str(home)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _archived(home: Path) -> int:
    raw = home / "objects" / "raw"
    return (
        sum(1 for p in raw.rglob("*") if p.is_file() and not p.name.startswith("."))
        if raw.exists()
        else 0
    )


SUBMITTED = "SELECT count(*) FROM submission"
DECIDED = "SELECT count(*) FROM decision"
PUBLISHED = "SELECT count(*) FROM snapshot"
# collect archives a chunk of files, then registers it; a batch is decided in one transaction
POINTS: dict[str, Callable[[Path], bool]] = {
    "while collecting": lambda h: _archived(h) >= 5,
    "while deciding": lambda h: _count(h, SUBMITTED) >= 1,
    "while publishing": lambda h: _count(h, PUBLISHED) >= 1,
}


# every kill point on SQLite; on PostgreSQL the one around the decisions (the suite's time)
SCENARIOS = [("sqlite", p) for p in POINTS] + [("postgresql", "while deciding")]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory, prefect_api: str) -> Any:
    """The sample inbox, and the state an uninterrupted run leaves (per database kind)."""
    root = tmp_path_factory.mktemp("kill")
    inbox = write_sample_inbox(root / "inbox")
    expected: dict[str, dict[str, Any]] = {}

    def clean(kind: str) -> dict[str, Any]:
        if kind not in expected:
            with chiso_database(kind):
                home = root / f"clean-{kind}"
                assert _run(inbox, home, prefect_api).wait(timeout=300) == 0
                expected[kind] = dump(home)
        return expected[kind]

    return inbox, clean


@pytest.mark.parametrize(("kind", "point"), SCENARIOS)
def test_sigkill_then_rerun_converges(
    sample: Any, tmp_path: Path, prefect_api: str, kind: str, point: str
) -> None:
    inbox, clean = sample
    expected = clean(kind)
    with chiso_database(kind):
        home = tmp_path / "home"
        proc = _run(inbox, home, prefect_api)
        deadline = time.monotonic() + 240
        while not POINTS[point](home) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, f"the run ended before the kill point {point!r}"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        at_kill = (_count(home, SUBMITTED), _count(home, DECIDED))
        assert _run(inbox, home, prefect_api).wait(timeout=300) == 0
        assert dump(home) == expected, f"diverged after a kill {point} at {at_kill}"
