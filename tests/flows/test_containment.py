"""Containment by construction (issue 25): inputs nobody named, through ``chiso run`` on
both databases. Each example once stopped, hung or misled the whole run; now each run
exits 0, the good units are published as without them, and each entry gets its own code.

The inbox lives on tmpfs (``/dev/shm``), which keeps a file time ``datetime`` cannot hold
(ext4 clamps it); a second run adds a correction and a backdated late file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import hostile
from tests.support.inbox import changed, valid_doc, write
from tests.support.snapshots import read_csv
from tests.support.state import feedback, submissions

CHISO = str(Path(sys.executable).with_name("chiso"))
UNITS = hostile.communes()
GOOD = UNITS[:3]
(FAR_FUTURE, YEAR_2100, PERIOD_9999, FULLWIDTH, ODD_FOLDER, QUOTES, SHARED, DEEP, BACKDATED) = (
    UNITS[3:12]
)
RECEIVED = hostile.RECEIVED  # 2025-10-05, before 2025Q3's due date
FULLWIDTH_DIGITS = {ord(c): 0xFF10 + int(c) for c in "0123456789"}


def _case_files(inbox: Path) -> None:
    hostile.write_good(inbox, GOOD)
    path = write(inbox, f"{FAR_FUTURE}/2025Q3/r.json", valid_doc(FAR_FUTURE), RECEIVED)
    os.utime(path, (1e12, 1e12))  # year 33658: tmpfs keeps it
    write(
        inbox, f"{YEAR_2100}/2025Q3/r.json", valid_doc(YEAR_2100), datetime(2100, 1, 1, tzinfo=UTC)
    )
    write(inbox, f"{PERIOD_9999}/9999Q4/r.json", valid_doc(PERIOD_9999, "9999Q4"), RECEIVED)
    doc = valid_doc(FULLWIDTH)
    doc["enterprises"][0]["tax_code"] = doc["enterprises"][0]["tax_code"].translate(
        FULLWIDTH_DIGITS
    )
    write(inbox, f"{FULLWIDTH}/2025Q3/r.json", doc, RECEIVED)
    odd = os.fsdecode(b"2025Q3\xff")  # a folder name that is not UTF-8
    write(inbox, f"{ODD_FOLDER}/{odd}/r.json", valid_doc(ODD_FOLDER), RECEIVED)
    text = json.dumps(valid_doc(QUOTES), ensure_ascii=False)
    write(inbox, f"{QUOTES}/2025Q3/r.json", text[:-2] + ', "x": "' + '\\"' * 100_000, RECEIVED)
    write(inbox, f"{SHARED}/2025Q3/r.xlsx", hostile.shared_string_roster(SHARED), RECEIVED)
    deep = "/".join(["d" * 200] * 16)  # 3.2 KB of path: past a PostgreSQL btree row
    write(inbox, f"{DEEP}/2025Q3/{deep}/r.json", valid_doc(DEEP), RECEIVED)


def _run(inbox: Path, home: Path, api: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "PREFECT_API_URL": api}
    start = time.monotonic()
    done = subprocess.run(
        [CHISO, "run", "--inbox", str(inbox), "--home", str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done, time.monotonic() - start


@pytest.fixture(scope="module")
def ran(prefect_api: str, module_db: str) -> Iterator[dict[str, Any]]:
    root = Path("/dev/shm") / f"chiso-containment-{uuid.uuid4().hex[:8]}"
    inbox, home = root / "inbox", root / "home"
    inbox.mkdir(parents=True)
    try:
        _case_files(inbox)
        first = _run(inbox, home, prefect_api)
        # after the first look at the inbox (long after the due date): a correction for
        # the unit whose file said 2100, and a file set back before the due date
        write(
            inbox,
            f"{YEAR_2100}/2025Q3/r2.json",
            changed(valid_doc(YEAR_2100), reported_by="B"),
            datetime.now(UTC),
        )
        write(inbox, f"{BACKDATED}/2025Q3/r.json", valid_doc(BACKDATED), RECEIVED)
        second = _run(inbox, home, prefect_api)
        yield {"home": home, "runs": [first, second], "api": prefect_api}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _sub(home: Path, unit: str, name: str = "r.json") -> Any:
    (sub,) = [s for s in submissions(home).values() if s.path_unit == unit and s.filename == name]
    return sub


def _codes(home: Path, sub: Any) -> set[str]:
    return {p["code"] for p in feedback(home, sub)["problems"]}


def test_every_run_exits_0_in_bounded_time(ran: dict[str, Any]) -> None:
    for done, took in ran["runs"]:
        assert done.returncode == 0, done.stderr[-3000:]
        assert "Traceback" not in done.stdout
        assert took < 180, took  # docs/containment.md: each such run takes 20-40 s here


def test_the_good_units_are_published_as_without_the_hostile_entries(ran: dict[str, Any]) -> None:
    home = ran["home"]
    rows = read_csv(home, "2025Q3", "indicators.csv")
    by_unit = {
        r["unit_code"]: r for r in rows if r["indicator"] == "DTE_COUNT" and r["level"] == "unit"
    }
    for unit in GOOD:
        assert by_unit[unit]["value"] == "2"
    accepted = {s.path_unit for s in submissions(home).values() if s.status == "accepted"}
    assert accepted >= {*GOOD, FAR_FUTURE, YEAR_2100, FULLWIDTH, BACKDATED}


def test_a_time_no_datetime_holds_or_in_the_future_is_the_collection_time(
    ran: dict[str, Any],
) -> None:
    home = ran["home"]
    for unit in (FAR_FUTURE, YEAR_2100):
        sub = _sub(home, unit)
        assert sub.received_at <= sub.collected_at
        assert _codes(home, sub) == {"received_time_adjusted", "late"}
    # a file dated 2100 is not current forever: the correction sent after it is
    assert _sub(home, YEAR_2100, "r2.json").status == "accepted"
    assert _sub(home, YEAR_2100).status == "superseded"


def test_a_late_file_set_back_before_the_due_date_is_late(ran: dict[str, Any]) -> None:
    home = ran["home"]
    sub = _sub(home, BACKDATED)
    assert sub.received_at == RECEIVED  # the file's own time is kept, for the order
    assert sub.seen_after is not None and sub.seen_after > RECEIVED
    assert "late" in _codes(home, sub)
    status = {r["unit_code"]: r["status"] for r in read_csv(home, "2025Q3", "completeness.csv")}
    assert status[BACKDATED] == "late" and status[GOOD[0]] == "on_time"


def test_a_quarter_far_ahead_is_in_the_future(ran: dict[str, Any]) -> None:
    assert _codes(ran["home"], _sub(ran["home"], PERIOD_9999)) == {"period_future"}


def test_fullwidth_digits_are_the_ascii_code(ran: dict[str, Any]) -> None:
    home = ran["home"]
    rows = read_csv(home, "2025Q3", "enterprises.csv")
    codes = [r["tax_code"] for r in rows if r["unit_code"] == FULLWIDTH]
    assert codes and all(c.isascii() and c.isdigit() for c in codes)
    assert valid_doc(FULLWIDTH)["enterprises"][0]["tax_code"] in codes


def test_a_folder_name_not_utf8_drops_no_event(ran: dict[str, Any]) -> None:
    home, api = ran["home"], ran["api"]
    sub = _sub(home, ODD_FOLDER)
    assert sub.status == "rejected" and "path_mismatch" in _codes(home, sub)
    ids = {s.id for s in submissions(home).values()}
    body = {
        "filter": {
            "event": {"name": ["chiso.submissions.received"]},
            "resource": {"id_prefix": ["chiso.batch."]},
            "occurred": {"since": "2000-01-01T00:00:00Z"},
        },
        "limit": 50,
    }
    named: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = httpx.post(f"{api}/events/filter", json=body, timeout=10).json()["events"]
        named = {x["id"]: x for e in found for x in e["payload"]["submissions"] if x["id"] in ids}
        if set(named) == ids:
            break
        time.sleep(0.5)
    assert set(named) == ids  # every submission of both runs, the odd folder's too
    assert named[sub.id] == {"id": sub.id, "unit": ODD_FOLDER, "period": None}  # the catalog's


def test_an_unterminated_string_of_escaped_quotes_is_invalid_json_at_once(
    ran: dict[str, Any],
) -> None:
    assert _codes(ran["home"], _sub(ran["home"], QUOTES)) == {"json_invalid"}


def test_cells_sharing_one_long_string_are_too_large_once_read(ran: dict[str, Any]) -> None:
    home = ran["home"]
    assert _codes(home, _sub(home, SHARED, "r.xlsx")) == {"content_too_large"}


def test_a_path_past_an_index_row_is_stored_by_its_hash(ran: dict[str, Any]) -> None:
    home = ran["home"]
    (sub,) = [s for s in submissions(home).values() if "/dddd" in s.source_uri]
    assert sub.status == "rejected" and len(sub.source_uri.encode()) <= 1024
    assert "#sha256:" in sub.source_uri
    assert _codes(home, sub) == {"path_mismatch"}
