"""The hostile corpus beside good files, through ``chiso run`` on both databases, twice: every
run exits 0, the good files' figures are published, each bad file gets its one specific
problem, what cannot be read is skipped (and said), and nothing a unit wrote escapes."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import hostile
from tests.support.inbox import valid_doc, write
from tests.support.snapshots import province, read_csv, store
from tests.support.state import feedback, submissions

CHISO = str(Path(sys.executable).with_name("chiso"))
UNITS = hostile.communes()
GOOD = UNITS[:3]
CASES = hostile.cases(UNITS[3:])
MORE = UNITS[3 + len(CASES) :]
ODD_UNITS, (SPARSE, ROSTER, BAD_ROWS) = MORE[:4], MORE[4:7]


def _extra(inbox: Path) -> None:
    """Cases built on disk rather than as bytes: a sparse file of 1 GiB, a roster past the
    row limit, a roster of thousands of invalid rows (under the limit)."""
    path = inbox / SPARSE / "2025Q3" / "big.json"
    path.parent.mkdir(parents=True)
    with path.open("wb") as f:
        f.truncate(1 << 30)
    doc = valid_doc(ROSTER)
    doc["enterprises"] = [{"tax_code": "1", "name": "x", "type": "ICT", "status": "active"}] * (
        25_000
    )
    write(inbox, f"{ROSTER}/2025Q3/r.json", doc, hostile.RECEIVED)
    doc = valid_doc(BAD_ROWS)
    doc["enterprises"] = [
        {"tax_code": f"MST-{i}", "name": "x", "type": "??", "status": "suspended"}
        for i in range(5_000)
    ]
    write(inbox, f"{BAD_ROWS}/2025Q3/r.json", doc, hostile.RECEIVED)


def _run(inbox: Path, home: Path, api: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_API_URL": api}
    return subprocess.run(
        [CHISO, "run", "--inbox", str(inbox), "--home", str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def ran(
    tmp_path_factory: pytest.TempPathFactory, prefect_api: str, module_db: str
) -> tuple[Path, list[subprocess.CompletedProcess[str]], int]:
    root = tmp_path_factory.mktemp("hostile")
    inbox, home = root / "inbox", root / "home"
    inbox.mkdir()
    hostile.write_good(inbox, GOOD)
    hostile.write_cases(inbox, CASES)
    hostile.odd_entries(inbox, ODD_UNITS)
    _extra(inbox)
    runs = [_run(inbox, home, prefect_api) for _ in range(2)]
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    yield home, runs, peak_kb
    shutil.rmtree(root, ignore_errors=True)


def test_every_run_exits_0_and_says_what_it_skipped(ran: Any) -> None:
    _, runs, peak_kb = ran
    for r in runs:
        assert r.returncode == 0, r.stderr[-3000:]
        assert "Traceback" not in r.stdout
    first = runs[0].stdout
    assert "skipped 3" in first  # the two links of the loop, the hard link
    assert "Too many levels of symbolic links" in first and "hard links" in first
    assert peak_kb < 1024 * 1024  # under 1 GB (bench/hostile.py measures the whole tree)


def test_the_good_files_are_published(ran: Any) -> None:
    home, _, _ = ran
    rows = read_csv(home, "2025Q3", "indicators.csv")
    population = province(rows, "DTE_PER_1000_POP")
    assert population["denominator"] == str(32000 * (len(GOOD) + 1))
    assert province(rows, "DTE_COUNT")["reported_units"] == str(len(GOOD) + 1)  # + the odd name
    published = json.loads(store(home).get("snapshots/index.json"))
    assert [p["period"] for p in published["periods"]] == ["2025", "2025Q3"]  # no 2027


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_bad_file_gets_its_one_specific_problem(ran: Any, case: hostile.Case) -> None:
    home, _, _ = ran
    (sub,) = [s for s in submissions(home).values() if s.path_unit == case.unit]
    assert sub.status == "rejected"
    doc = feedback(home, sub)
    assert {p["code"] for p in doc["problems"]} == {case.expected}
    text = json.dumps(doc, ensure_ascii=False)
    assert "\\u0000" not in text.replace("\\\\u0000", "") and "file://" not in text
    assert doc["file"]["source"] == f"{case.unit}/{sub.path_period}/{case.filename}"


def test_oversize_long_folder_and_roster_bounds(ran: Any) -> None:
    home, _, _ = ran
    subs = {s.path_unit: s for s in submissions(home).values()}
    big = subs[SPARSE]
    assert [p["code"] for p in feedback(home, big)["problems"]] == ["file_too_large"]
    assert not any(k.startswith(f"raw/{SPARSE}/") for k in store(home).list_keys("raw/"))
    folder = subs[ODD_UNITS[1]]  # 2025Q3 (ban sua lan 2): cut to the column, rejected
    assert folder.path_period == "2025Q3 (ban sua…" and folder.status == "rejected"
    assert [p["code"] for p in feedback(home, subs[ROSTER])["problems"]] == ["too_many_enterprises"]
    doc = feedback(home, subs[BAD_ROWS])
    assert doc["problem_counts"] == {"tax_code_invalid": 5_000, "type_unknown": 5_000}
    assert len(doc["problems"]) == 100  # 50 of each code listed
    assert doc["summary"] == {"errors": 10_000, "warnings": 0}
    assert subs[BAD_ROWS].error_count == 10_000


def test_nothing_is_decided_twice(ran: Any) -> None:
    home, runs, _ = ran
    assert "nothing new" not in runs[0].stdout
    subs = submissions(home)
    # + the long folder, the undecodable name, the sparse file, two rosters
    assert len(subs) == len(GOOD) + len(CASES) + 5


def test_a_file_name_that_is_not_utf8_is_just_a_name(ran: Any) -> None:
    home, _, _ = ran
    (sub,) = [s for s in submissions(home).values() if s.path_unit == ODD_UNITS[3]]
    assert sub.status == "accepted" and sub.filename == "b\\udce1o c\\udce1o.json"
    assert feedback(home, sub)["file"]["name"] == sub.filename
