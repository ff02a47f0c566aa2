"""A run killed with SIGKILL at any moment, then rerun, ends where an uninterrupted run does."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from examples.sample_inbox import write_sample_inbox
from tests.support.state import dump

CHISO = str(Path(sys.executable).parent / "chiso")


def _count(home: Path, sql: str) -> int:
    try:
        db = sqlite3.connect(f"file:{home / 'chiso.db'}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute(sql).fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def _run(inbox: Path, home: Path, api: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PREFECT_API_URL": api}
    return subprocess.Popen(
        [CHISO, "run", "--inbox", str(inbox), "--home", str(home)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


SUBMITTED = "SELECT count(*) FROM submission"
DECIDED = "SELECT count(*) FROM decision"
POINTS: dict[str, Callable[[Path], bool]] = {
    "while collecting": lambda h: _count(h, SUBMITTED) >= 5,
    "while deciding": lambda h: _count(h, DECIDED) >= 1,
    "late in deciding": lambda h: _count(h, DECIDED) >= 60,
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory, prefect_api: str) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("kill")
    inbox = write_sample_inbox(root / "inbox")
    clean = root / "clean"
    assert _run(inbox, clean, prefect_api).wait(timeout=300) == 0
    return inbox, dump(clean)


@pytest.mark.parametrize("point", list(POINTS))
def test_sigkill_then_rerun_converges(
    sample: tuple[Path, dict], tmp_path: Path, prefect_api: str, point: str
) -> None:
    inbox, expected = sample
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
