"""Benchmarks that cannot rot (issue 24): every script under ``bench/`` runs here on a
tiny input, in its own process as a person runs it, and must exit 0 having printed its
figures. Their figures go to a temporary folder (``CHISO_BENCH_RESULTS``), never over a
real run's. The two scripts that bring up the production stack are only asked for their
``--help`` here (imports and arguments: each stack costs about two minutes, and the stack
tier already brings one up per test); everything else runs whole."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
TINY = {
    "objectstore.py": ["--files", "20", "--rounds", "1"],
    "startup.py": ["--repeat", "1"],
    "mail.py": ["--units", "5"],
    "portal.py": ["--sends", "2", "--units", "3"],
    "national_inbox.py": ["{tmp}/inbox", "--units", "5"],
    "national.py": ["--units", "5", "--no-postgres", "--no-cold"],
    "events.py": ["--events", "50", "--related", "1"],
    "backfill.py": ["--units", "3", "--years", "1"],
    "hostile.py": ["--runs", "1"],
    # one source's half: the other is the same loop, and the flow tier runs both
    "property.py": ["--minutes", "0.2", "--examples", "1", "--source", "folder"],
    # stack scripts: arguments and imports only (see above)
    "stack_latency.py": ["--help"],
    "stack_events.py": ["--help"],
}
LIBRARIES = {"common.py", "baseline.py", "warm_run.py"}  # run by the others (and floor/)


def test_every_script_is_listed() -> None:
    scripts = {p.name for p in BENCH.glob("*.py")}
    assert scripts == set(TINY) | LIBRARIES, scripts ^ (set(TINY) | LIBRARIES)


@pytest.mark.parametrize("script", sorted(TINY))
def test_the_script_runs_on_a_tiny_input(script: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PREFECT_API"))}
    env["CHISO_BENCH_RESULTS"] = str(tmp_path / "results")
    args = [a.format(tmp=tmp_path) for a in TINY[script]]
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    assert done.stdout.strip(), done.stderr[-2000:]


def test_the_floor_runs_as_a_script(tmp_path: Path) -> None:
    """``bench/floor/`` is a package (it runs inside bench/national.py); as a script too."""
    inbox = tmp_path / "inbox"
    subprocess.run(
        [sys.executable, str(BENCH / "national_inbox.py"), str(inbox), "--units", "5"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [sys.executable, str(BENCH / "floor"), str(inbox)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert '"submissions": 5' in done.stdout
