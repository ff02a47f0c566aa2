"""Territories across the merger (contract 5a), end to end: a small inbox that spans the
merger, its territory rows against figures computed by hand."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path

import pytest

from tests.support.inbox import at, changed, tax_code, valid_doc, write
from tests.support.snapshots import latest, read_csv, store


@pytest.fixture
def home(tmp_path: Path, prefect_api: str, chiso_db: str) -> Path:
    """2025Q2: districts 703 and 708 report. 2025Q3: Phường Tân Ninh (25459) and Xã Châu
    Thành (25585), both formed partly from the divided Xã Thái Bình of old district 708,
    and Phường Long An (27694, former Long An). Xã Châu Thành lists Tân Ninh's first
    enterprise too (with other attributes) and one of its own."""
    from flows.pipeline import run_pipeline

    inbox, home = tmp_path / "inbox", tmp_path / "home"
    for unit, classes in (("703", 2), ("708", 3)):
        doc = valid_doc(unit, "2025Q2")
        doc["indicators"]["DX_CLASSES"] = classes
        write(inbox, f"{unit}/2025Q2/bc.json", doc, at(date(2025, 7, 5)))
    tan_ninh = valid_doc("25459", "2025Q3")
    shared = dict(tan_ninh["enterprises"][0], dx_capable=False, name="Tên khác")
    own = dict(shared, tax_code=tax_code(777), type="ICT", dx_capable=False)
    chau_thanh = changed(valid_doc("25585", "2025Q3"), enterprises=[shared, own])
    for unit, doc in (("25459", tan_ninh), ("25585", chau_thanh)):
        write(inbox, f"{unit}/2025Q3/bc.json", doc, at(date(2025, 10, 5)))
    write(inbox, "27694/2025Q3/bc.json", valid_doc("27694", "2025Q3"), at(date(2025, 10, 5)))
    run_pipeline(inbox=str(inbox), home=str(home))
    return home


def rows(home: Path, period: str, code: str) -> dict[str, dict[str, str]]:
    found = read_csv(home, period, "indicators.csv")
    return {r["indicator"]: r for r in found if r["unit_code"] == code}


def test_territory_rows_equal_hand_computed_figures(home: Path) -> None:
    tn = rows(home, "2025Q3", "TN_FORMER")
    assert tn["DTE_COUNT"]["level"] == "territory"
    assert tn["DTE_COUNT"]["unit_name"] == "Địa bàn tỉnh Tây Ninh cũ"
    # distinct enterprises over 25459 and 25585: the shared one once, with 25459's
    # attributes (dx_capable), its CONVERTED one, 25585's own ICT one
    assert (tn["DTE_COUNT"]["value"], tn["DTE_DX_CAPABLE"]["value"]) == ("3", "1")
    assert (tn["DTE_COUNT"]["reported_units"], tn["DTE_COUNT"]["expected_units"]) == ("2", "36")
    share = tn["DTE_SHARE_PCT"]  # ICT: the shared one and 25585's own, of 400 + 400
    assert (share["numerator"], share["denominator"], share["value"]) == ("2", "800", "0.25")
    per = tn["DTE_PER_1000_POP"]  # 1000 × 3 / 64000 = 0.046875
    assert (per["value"], per["target"], per["target_year"]) == ("0.0469", "1", "2030")
    assert (tn["DTE_COUNT"]["target"], tn["DTE_COUNT"]["target_year"]) == ("10", "2025")
    assert tn["DTE_SHARE_PCT"]["baseline"] == "2.79"
    la = rows(home, "2025Q3", "LA_FORMER")
    assert (la["DTE_COUNT"]["value"], la["DTE_COUNT"]["expected_units"]) == ("2", "60")
    assert la["DTE_COUNT"]["target"] == "" and la["DTE_PER_1000_POP"]["target"] == "1"
    new = rows(home, "2025Q3", "80")
    assert (new["DTE_COUNT"]["value"], new["DTE_COUNT"]["target"]) == ("5", "")
    assert rows(home, "2025Q3", "25459")["DTE_COUNT"]["target"] == ""  # unit rows stay blank


def test_the_plan_territory_runs_through_the_merger(home: Path) -> None:
    q2 = rows(home, "2025Q2", "TN_FORMER")  # the districts, before the merger
    assert (q2["DTE_COUNT"]["value"], q2["DTE_COUNT"]["expected_units"]) == ("4", "9")
    assert rows(home, "2025Q2", "LA_FORMER") == {}  # no Long An unit reports before
    old = rows(home, "2025Q2", "72")
    assert (old["DTE_COUNT"]["value"], old["DTE_COUNT"]["target"]) == ("4", "10")
    year = rows(home, "2025", "TN_FORMER")
    # year to date: flows summed over Q2 (districts: 2 + 3) and Q3 (communes: 2 + 2),
    # stocks and the roster from the as-of quarter
    assert (year["DX_CLASSES"]["value"], year["DX_CLASSES"]["as_of"]) == ("9", "2025Q3")
    assert (year["DTE_COUNT"]["value"], year["DTE_COUNT"]["expected_units"]) == ("3", "36")
    assert rows(home, "2025", "LA_FORMER")["DX_CLASSES"]["value"] == "2"
    # the province's series too: old 72's Q2 (2 + 3) goes on in new 80's Q3
    q3 = int(rows(home, "2025Q3", "80")["DX_CLASSES"]["value"])
    assert rows(home, "2025", "80")["DX_CLASSES"]["value"] == str(5 + q3)


def test_the_snapshot_lists_members_and_the_crosswalk(home: Path) -> None:
    members = read_csv(home, "2025Q3", "territories.csv")
    assert list(members[0]) == ["period", "territory", "unit_code", "unit_name"]
    by = {(m["territory"], m["unit_code"]) for m in members}
    assert len(members) == 96 and ("TN_FORMER", "25585") in by and ("LA_FORMER", "27694") in by
    year = read_csv(home, "2025", "territories.csv")
    assert {m["period"] for m in year} == {"2025Q2", "2025Q3"} and len(year) == 9 + 96
    walk = read_csv(home, "2025Q3", "crosswalk.csv")
    thai_binh = {r["new_code"]: r["weight"] for r in walk if r["old_code"] == "25597"}
    assert thai_binh == {"25459": "0.3092", "25585": "0.6908"}  # the divided ward
    version = latest(home, "2025Q3")["version"]
    base = f"snapshots/2025Q3/{version}/"
    package = json.loads(store(home).get(base + "datapackage.json"))
    listed = {r["path"]: r for r in package["resources"]}
    for name in ("territories.csv", "crosswalk.csv"):
        data = store(home).get(base + name)
        assert listed[name]["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert listed[name]["bytes"] == len(data) and listed[name]["schema"]["fields"]
    page = store(home).get(base + "report.html").decode("utf-8")
    assert "Tiến độ kế hoạch: Địa bàn tỉnh Tây Ninh cũ (TN_FORMER)" in page
    assert page.count('<circle class="unit') == 96 and page.count('class="unit reported"') == 3
    text = store(home).get(base + "territories.csv").decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == ["period", "territory", "unit_code", "unit_name"]
