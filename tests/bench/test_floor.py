"""The contract floor (bench/floor/) does the contract's work, or its ratio would flatter
chiso: on a small national inbox it decides as chiso does and publishes the same figures,
row for row, for the quarter and its year."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from catalog import NATIONAL_UNITS_CSV
from models.periods import Period
from tests.support.snapshots import read_csv

ROOT = Path(__file__).resolve().parents[2]


def test_the_floor_publishes_what_chiso_publishes(
    tmp_path: Path, prefect_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from floor import run as floor_run
        from national_inbox import write_inbox
    finally:
        sys.path.remove(str(ROOT / "bench"))
    from flows.pipeline import run_pipeline

    monkeypatch.setenv("CHISO_UNITS_CSV", str(NATIONAL_UNITS_CSV))
    inbox = tmp_path / "inbox"
    # 60 units: both formats, and (2 % bad, drawn) at least one rejected file
    assert write_inbox(inbox, Period(2025, 4), 60) == 60
    done = floor_run(inbox, tmp_path / "floor", NATIONAL_UNITS_CSV)
    run_pipeline(inbox=str(inbox), home=str(tmp_path / "chiso"))
    for period in ("2025Q4", "2025"):
        for name in ("indicators.csv", "completeness.csv"):
            ours = read_csv(tmp_path / "chiso", period, name)
            theirs = read_csv(tmp_path / "floor", period, name)  # the same layout
            indicators = name == "indicators.csv"
            keys = ("level", "unit_code", "indicator") if indicators else ("unit_code",)
            by = {tuple(r[k] for k in keys): r for r in theirs}
            assert len(ours) == len(theirs) > 3000
            # the submission ids are each program's own; every other column must agree
            columns = [c for c in ours[0] if c not in ("submission_id", "received_at")]
            mismatched = [
                (key, c)
                for r in ours
                for key in [tuple(r[k] for k in keys)]
                for c in columns
                if c != "unit_name" and r[c] != by[key][c]
            ]
            assert not mismatched, mismatched[:10]
    assert done["rejected"] >= 1 and done["accepted"] + done["rejected"] == 60


def test_the_floor_is_timed_with_its_imports_done(tmp_path: Path) -> None:
    """bench/national.py imports the floor, then times ``run``: a library that ``run``
    imports on its first use (pyarrow brings in pandas on its first table) would be timed
    with it and flatter chiso's ratio (it was half a second to a second)."""
    import subprocess

    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
        "from national_inbox import write_inbox; from models.periods import Period; "
        "from floor import run; inbox = Path(sys.argv[2]) / 'inbox'; "
        "write_inbox(inbox, Period(2025, 4), 6); before = set(sys.modules); "
        "run(inbox, Path(sys.argv[2]) / 'home', Path(sys.argv[3])); "
        "print(sorted(m for m in set(sys.modules) - before if not m.startswith('encodings')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "bench"), str(tmp_path), str(NATIONAL_UNITS_CSV)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
