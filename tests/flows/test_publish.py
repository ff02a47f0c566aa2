"""The main job on the sample inbox, then reruns, corrections and withdrawals."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import frictionless
import pytest

from examples.sample_inbox import write_sample_inbox
from tests.support.databases import chiso_database
from tests.support.inbox import at, changed, valid_doc, write
from tests.support.snapshots import latest, province, read_csv, store, versions
from tests.support.state import db_kind, dump, submissions

VERSION = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{12}$")
PERIODS = ["2024", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025", "2025Q1", "2025Q2", "2025Q3"]


def run(inbox: Path, home: Path) -> dict:
    from flows.pipeline import run_pipeline

    return dict(run_pipeline(inbox=str(inbox), home=str(home)))


@pytest.fixture(scope="module")
def sample(
    tmp_path_factory: pytest.TempPathFactory, prefect_api: str, module_db: str
) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("publish")
    inbox = write_sample_inbox(root / "inbox")
    home = root / "home"
    run(inbox, home)
    return inbox, home


def test_every_period_and_year_is_published_with_pointers(sample: tuple[Path, Path]) -> None:
    _, home = sample
    index = json.loads(store(home).get("snapshots/index.json"))
    assert [p["period"] for p in index["periods"]] == PERIODS
    for entry in index["periods"]:
        pointer = latest(home, entry["period"])
        assert set(pointer) == {"period", "version", "published_at", "status"}
        assert pointer["version"] == entry["version"] and VERSION.match(pointer["version"])
        assert pointer["status"] == entry["status"] == "final"  # every due date has passed
    assert {p: len(v) for p, v in versions(home).items()} == dict.fromkeys(PERIODS, 1)


def test_the_data_docs_of_the_validations_are_published(sample: tuple[Path, Path]) -> None:
    _, home = sample
    docs = home / "objects" / "docs"
    index = (docs / "index.html").read_text("utf-8")
    for suite in ("info", "figures", "submission", "enterprises"):
        # one page per validation of the process (other tests' runs may add theirs)
        pages = list((docs / "validations" / f"chiso_{suite}").rglob("*.html"))
        assert pages
        for page in pages:
            assert page.relative_to(docs).as_posix() in index
            assert "Evaluated Expectations" in page.read_text("utf-8")


def test_files_match_their_data_package(sample: tuple[Path, Path]) -> None:
    _, home = sample
    for period in PERIODS:
        version = latest(home, period)["version"]
        base = home / "objects" / "snapshots" / period / version
        files = {p.name for p in base.iterdir()}
        assert files == {
            "indicators.csv",
            "indicators.json",
            "indicators.parquet",
            "completeness.csv",
            "enterprises.csv",
            "territories.csv",
            "crosswalk.csv",
            "datapackage.json",
            "report.html",
        }
        desc = json.loads((base / "datapackage.json").read_text("utf-8"))
        for res in desc["resources"]:
            data = (base / res["path"]).read_bytes()
            assert res["bytes"] == len(data)
            assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        h = hashlib.sha256()
        for name in ("indicators.csv", "completeness.csv", "enterprises.csv"):
            h.update(name.encode() + b"\0" + (base / name).read_bytes() + b"\0")
        assert version.endswith(h.hexdigest()[:12])
        assert frictionless.Package.validate_descriptor(str(base / "datapackage.json")).valid
        pkg = frictionless.Package(str(base / "datapackage.json"))
        for res in pkg.resources:
            if res.path.endswith(".csv"):
                assert res.validate().valid, (period, res.path)
        lineage = desc["chiso"]
        assert lineage["submissions"] and lineage["flow_run_id"] and lineage["code_version"]


def test_published_tables_follow_the_contract(sample: tuple[Path, Path]) -> None:
    _, home = sample
    rows = read_csv(home, "2025", "indicators.csv")
    assert {r["as_of"] for r in rows} == {"2025Q3"} and {r["period"] for r in rows} == {"2025"}
    q3 = read_csv(home, "2025Q3", "indicators.csv")
    count = province(q3, "DTE_COUNT")
    assert (count["unit_code"], count["expected_units"], count["reported_units"]) == (
        "80",
        "96",
        "24",
    )
    # the plan's targets are the old province's and TN_FORMER's, not the new province's
    assert (count["target"], count["target_year"]) == ("", "")
    assert province(q3, "DTE_SHARE_PCT")["baseline"] == ""
    tn = {r["indicator"]: r for r in q3 if r["unit_code"] == "TN_FORMER"}
    assert (tn["DTE_COUNT"]["target"], tn["DTE_COUNT"]["target_year"]) == ("10", "2025")
    assert tn["DTE_SHARE_PCT"]["baseline"] == "2.79" and tn["DTE_COUNT"]["level"] == "territory"
    q2 = read_csv(home, "2025Q2", "indicators.csv")
    assert (province(q2, "DTE_COUNT")["unit_code"], province(q2, "DTE_COUNT")["target"]) == (
        "72",
        "10",
    )
    keys = [(r["period"], r["level"], len(r["unit_code"]), r["unit_code"]) for r in q3]
    assert keys == sorted(keys)
    ents = read_csv(home, "2025Q2", "enterprises.csv")
    assert "reported_by" not in ents[0] and "contact" not in ents[0]
    shared = [
        r
        for r in ents
        if r["enterprise_code"] == r["tax_code"][:10] and r["tax_code"].endswith("-001")
    ]
    assert [r["counted_at_province"] for r in shared] == ["false"]  # 712's branch of 703's
    comp = {r["unit_code"]: r for r in read_csv(home, "2024Q4", "completeness.csv")}
    assert comp["711"]["status"] == "late" and comp["709"]["status"] == "on_time"
    assert comp["707"]["rejected_count"] == "1"
    assert comp["703"]["received_at"].endswith("Z")


def test_a_changed_resubmission_makes_one_new_version_of_its_quarter_and_year(
    tmp_path: Path, prefect_api: str, chiso_db: str
) -> None:
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    for n, period in enumerate(["2024Q2", "2024Q3", "2024Q4"]):
        write(inbox, f"708/{period}/r.json", valid_doc("708", period), at(date(2025, 1, 2 + n)))
    run(inbox, home)
    before = versions(home)
    doc = valid_doc("708", "2024Q3")
    write(
        inbox,
        "708/2024Q3/dinh_chinh.json",
        changed(doc, indicators={**doc["indicators"], "ENT_ACTIVE_TOTAL": 777}),
        at(date(2025, 1, 28)),
    )
    run(inbox, home)
    after = versions(home)
    assert {p: len(after[p] - before[p]) for p in after} == {
        "2024Q2": 0,
        "2024Q3": 1,
        "2024Q4": 0,
        "2024": 1,
    }
    row = next(
        r
        for r in read_csv(home, "2024Q3", "indicators.csv")
        if r["unit_code"] == "708" and r["indicator"] == "DTE_SHARE_PCT"
    )
    assert row["denominator"] == "777"


def test_hand_built_inbox_equals_hand_computed_values(
    tmp_path: Path, prefect_api: str, chiso_db: str
) -> None:
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    a = changed(
        valid_doc("703", "2024Q1"),
        indicators={
            "ENT_ACTIVE_TOTAL": 300,
            "POPULATION": 120000,
            "SITES_5G": 5,
            "PROC_ELIGIBLE": 100,
            "PROC_ONLINE_FULL": 40,
            "DX_CLASSES": 3,
            "DX_TRAINEES": 90,
        },
    )
    b = changed(
        valid_doc("705", "2024Q1"),
        indicators={
            "ENT_ACTIVE_TOTAL": 100,
            "POPULATION": 80000,
            "PROC_ELIGIBLE": 50,
            "PROC_ONLINE_FULL": 50,
        },
    )
    b["enterprises"][1]["status"] = "suspended"
    write(inbox, "703/2024Q1/a.json", a, at(date(2024, 4, 3)))
    write(inbox, "705/2024Q1/b.xlsx", b, at(date(2024, 4, 20)))
    run(inbox, home)
    rows = read_csv(home, "2024Q1", "indicators.csv")
    expect = {  # 703: ICT + CONVERTED active; 705: ICT active, CONVERTED suspended
        "DTE_COUNT": ("3", "3", ""),
        "DTE_DX_CAPABLE": ("2", "2", ""),
        "DTE_SHARE_PCT": ("0.5", "2", "400"),
        "CONVERTED_SHARE_PCT": ("0.25", "1", "400"),
        "DTE_PER_1000_POP": ("0.015", "3", "200000"),
        "ONLINE_PROC_PCT": ("60", "90", "150"),
        "SITES_5G": ("5", "5", ""),
        "DX_CLASSES": ("3", "3", ""),
        "DX_TRAINEES": ("90", "90", ""),
    }
    for ind, (value, num, den) in expect.items():
        row = province(rows, ind)
        assert (row["value"], row["numerator"], row["denominator"]) == (value, num, den), ind
        assert (row["reported_units"], row["expected_units"]) == ("2", "9")
    assert province(rows, "STEM_SCHOOLS")["value"] == ""  # nobody reported it: blank
    missing = [r for r in rows if r["unit_code"] == "706"]
    assert missing and all(r["value"] == "" for r in missing)
    comp = {r["unit_code"]: r["status"] for r in read_csv(home, "2024Q1", "completeness.csv")}
    assert (comp["703"], comp["705"], comp["706"]) == ("on_time", "late", "missing")


def test_second_run_changes_nothing(sample: tuple[Path, Path]) -> None:
    inbox, home = sample
    before, keys = dump(home), sorted(store(home).list_keys())
    run(inbox, home)
    assert dump(home) == before and sorted(store(home).list_keys()) == keys


def test_withdrawal_restores_the_previous_submission(
    sample: tuple[Path, Path], tmp_path: Path
) -> None:
    """On a home of its own (the module's sample stays as the other tests expect it)."""
    from flows.cli.status import withdraw_submission

    inbox, shared = sample
    with chiso_database(db_kind(shared)):
        home = tmp_path / "withdraw"
        run(inbox, home)
        subs = submissions(home)
        correction = subs["703/2025Q1/baocao_703_2025Q1_dinh_chinh.xlsx"]
        assert correction.status == "accepted"
        before = versions(home)
        assert withdraw_submission(correction.id, "số liệu nhập sai", home) == 0
        subs = submissions(home)
        assert subs["703/2025Q1/baocao_703_2025Q1_dinh_chinh.xlsx"].status == "withdrawn"
        assert subs["703/2025Q1/baocao_703_2025Q1.json"].status == "accepted"
        after = versions(home)
        assert {p for p in PERIODS if after[p] != before[p]} == {"2025Q1", "2025"}
        assert withdraw_submission(correction.id, "again", home) == 2  # not accepted any more


def test_a_years_roster_is_its_latest_quarters(sample: tuple[Path, Path]) -> None:
    # the quarters of a year published in one run give up their rosters once published,
    # all but the latest, which the year reads
    _, home = sample
    for year in [p for p in PERIODS if len(p) == 4]:
        latest_quarter = max(p for p in PERIODS if p.startswith(year + "Q"))
        quarter = read_csv(home, latest_quarter, "enterprises.csv")
        assert quarter
        assert read_csv(home, year, "enterprises.csv") == [dict(r, period=year) for r in quarter]


def test_a_burst_is_published_by_one_run_each_period_once(
    tmp_path: Path, prefect_api: str, chiso_db: str
) -> None:
    """What the period.updated trigger runs: publish_snapshot(changed=True) publishes every
    quarter decided since its last publication, and its year, once; then nothing."""
    from flows.collect import collect_submissions
    from flows.process import process_submissions
    from flows.publish import publish_snapshot

    inbox, home = tmp_path / "inbox", tmp_path / "home"
    write(inbox, "703/2024Q4/a.json", valid_doc("703", "2024Q4"), at(date(2025, 1, 5)))
    write(inbox, "705/2024Q4/a.json", valid_doc("705", "2024Q4"), at(date(2025, 1, 5)))
    write(inbox, "703/2025Q1/a.json", valid_doc("703", "2025Q1"), at(date(2025, 4, 5)))
    collect_submissions(inbox=str(inbox), home=str(home))
    process_submissions(home=str(home))
    rows = publish_snapshot(home=str(home), changed=True)
    assert sorted(r["period"] for r in rows) == ["2024", "2024Q4", "2025", "2025Q1"]
    assert publish_snapshot(home=str(home), changed=True) == []
