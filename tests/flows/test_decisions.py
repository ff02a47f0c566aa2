"""Warnings across submissions, resubmission and supersede, duplicates, a crash mid-store."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from models.db import make_engine
from tests.support.databases import chiso_database
from tests.support.inbox import at, changed, valid_doc, write
from tests.support.state import db_kind, db_url, dump, feedback, problems, submissions


def run(inbox: Path, home: Path) -> None:
    from flows.collect import collect_submissions
    from flows.process import process_submissions

    collect_submissions(inbox=str(inbox), home=str(home))
    process_submissions(home=str(home))


@pytest.fixture
def dirs(tmp_path: Path, prefect_api: str, chiso_db: str) -> tuple[Path, Path]:
    return tmp_path / "inbox", tmp_path / "home"


def test_late_stock_jump_and_shared_tax_code_are_warnings(dirs: tuple[Path, Path]) -> None:
    inbox, home = dirs
    q1 = valid_doc("703", "2025Q1")
    write(inbox, "703/2025Q1/a.json", q1, at(date(2025, 4, 10)))
    jump = changed(valid_doc("703", "2025Q2"), indicators={**q1["indicators"], "SITES_5G": 10})
    write(inbox, "703/2025Q2/a.json", jump, at(date(2025, 7, 20)))  # due 2025-07-15
    shared = changed(
        valid_doc("705", "2025Q2"),
        enterprises=[
            {**q1["enterprises"][0], "tax_code": q1["enterprises"][0]["tax_code"] + "-002"}
        ],
    )
    write(inbox, "705/2025Q2/b.json", shared, at(date(2025, 7, 21)))
    run(inbox, home)
    subs = submissions(home)
    assert subs["703/2025Q1/a.json"].status == "accepted"
    assert problems(feedback(home, subs["703/2025Q1/a.json"])) == []
    assert problems(feedback(home, subs["703/2025Q2/a.json"])) == [
        ("late", "warning", None, None, "received_at", "2025-07-20T09:00:00+00:00"),
        ("stock_change", "warning", "indicators", None, "SITES_5G", "10"),
    ]
    doc = feedback(home, subs["705/2025Q2/b.json"])
    assert doc["status"] == "accepted"
    assert problems(doc) == [
        ("late", "warning", None, None, "received_at", "2025-07-21T09:00:00+00:00"),
        (
            "tax_code_other_unit",
            "warning",
            "enterprises",
            1,
            "tax_code",
            q1["enterprises"][0]["tax_code"] + "-002",
        ),
    ]
    assert doc["problems"][1]["expected"].endswith("703")


@pytest.mark.parametrize("runs", [1, 2], ids=["one_batch", "two_runs"])
def test_a_unit_that_contradicts_anothers_enterprise_is_flagged_on_both(
    dirs: tuple[Path, Path], runs: int
) -> None:
    # the province takes the lowest unit code's attributes: 25459 listing 25480's enterprise
    # as dissolved lowers the province's count; both units are told, and the report says so
    inbox, home = dirs
    victim = valid_doc("25480")
    write(inbox, "25480/2025Q3/a.json", victim, at(date(2025, 10, 2)))
    if runs == 2:
        run(inbox, home)
    ent = {**victim["enterprises"][0], "status": "dissolved"}
    writer = changed(valid_doc("25459"), enterprises=[*valid_doc("25459")["enterprises"], ent])
    write(inbox, "25459/2025Q3/b.json", writer, at(date(2025, 10, 3)))
    run(inbox, home)
    subs = submissions(home)
    code = ent["tax_code"]
    wrote = feedback(home, subs["25459/2025Q3/b.json"])
    told = feedback(home, subs["25480/2025Q3/a.json"])
    # a file dated 3 October that was not there at the first run's look (in 2026) arrived
    # after it: late (tasks.intake.times.arrival)
    late = [("late", wrote["problems"][0]["value"])] if runs == 2 else []
    assert [(p["code"], p["value"]) for p in wrote["problems"]] == [
        *late,
        ("tax_code_other_unit", code),
        ("tax_code_conflict", code),
    ]
    assert wrote["problems"][-1]["expected"] == (
        "as unit 25480 reports it: active, ICT, dx_capable=yes"
    )
    assert [(p["code"], p["value"], p["expected"]) for p in told["problems"]] == [
        ("tax_code_conflict", code, "as unit 25459 reports it: dissolved, ICT, dx_capable=yes")
    ]
    assert told["status"] == "accepted" and told["summary"]["warnings"] == 1
    assert subs["25480/2025Q3/a.json"].warning_count == 1
    run(inbox, home)  # nothing new: flagged once
    assert submissions(home)["25480/2025Q3/a.json"].warning_count == 1


def test_the_report_lists_the_conflicts(dirs: tuple[Path, Path]) -> None:
    from flows.publish import publish_snapshot

    inbox, home = dirs
    victim = valid_doc("25480")
    write(inbox, "25480/2025Q3/a.json", victim, at(date(2025, 10, 2)))
    ent = {**victim["enterprises"][0], "type": "CONVERTED"}
    writer = changed(valid_doc("25459"), enterprises=[ent])
    write(inbox, "25459/2025Q3/b.json", writer, at(date(2025, 10, 3)))
    run(inbox, home)
    publish_snapshot("2025Q3", home=str(home))
    from tests.support.snapshots import latest, store

    version = latest(home, "2025Q3")["version"]
    page = store(home).get(f"snapshots/2025Q3/{version}/report.html").decode()
    assert f"tax code {ent['tax_code']}, as unit 25459 reports it: active, CONVERTED" in page


def test_resubmission_supersedes_by_received_at_not_processing_order(
    dirs: tuple[Path, Path],
) -> None:
    inbox, home = dirs
    doc = valid_doc()
    write(inbox, "25459/2025Q3/second.json", changed(doc, reported_by="B"), at(date(2025, 10, 9)))
    run(inbox, home)
    # an older file turns up later: it is accepted but does not become current
    write(inbox, "25459/2025Q3/first.json", changed(doc, reported_by="A"), at(date(2025, 10, 2)))
    write(inbox, "25459/2025Q3/third.json", changed(doc, reported_by="C"), at(date(2025, 10, 12)))
    run(inbox, home)
    subs = submissions(home)
    first, second, third = (subs[f"25459/2025Q3/{n}.json"] for n in ("first", "second", "third"))
    assert (first.status, second.status, third.status) == ("superseded", "superseded", "accepted")
    assert third.supersedes == second.id


def test_the_stock_change_warning_is_more_than_50_percent_either_way(
    dirs: tuple[Path, Path],
) -> None:
    inbox, home = dirs
    cases = {"703": (150, False), "705": (151, True), "706": (50, False), "707": (49, True)}
    for unit, (value, _) in cases.items():
        q1 = valid_doc(unit, "2025Q1")
        q1["indicators"]["SITES_5G"] = 100
        write(inbox, f"{unit}/2025Q1/a.json", q1, at(date(2025, 4, 10)))
        q2 = valid_doc(unit, "2025Q2")
        q2["indicators"] = {**q1["indicators"], "SITES_5G": value}
        write(inbox, f"{unit}/2025Q2/a.json", q2, at(date(2025, 7, 10)))
    run(inbox, home)
    subs = submissions(home)
    for unit, (value, warned) in cases.items():
        found = problems(feedback(home, subs[f"{unit}/2025Q2/a.json"]))
        stock = [p for p in found if p[0] == "stock_change"]
        assert stock == (
            [("stock_change", "warning", "indicators", None, "SITES_5G", str(value))]
            if warned
            else []
        ), unit


def test_a_tie_in_receipt_time_is_broken_by_path_then_hash(dirs: tuple[Path, Path]) -> None:
    import hashlib
    import json

    inbox, home = dirs
    one, two = valid_doc(), changed(valid_doc(), reported_by="Trần Thị Bình")

    def sha(doc: dict[str, Any]) -> str:
        return hashlib.sha256(json.dumps(doc, ensure_ascii=False).encode()).hexdigest()

    # the later path holds the smaller hash: path must decide, not hash
    low, high = sorted((one, two), key=sha)
    same = at(date(2025, 10, 2))
    write(inbox, "25459/2025Q3/a.json", high, same)
    write(inbox, "25459/2025Q3/b.json", low, same)
    run(inbox, home)
    subs = submissions(home)
    assert subs["25459/2025Q3/b.json"].status == "accepted"
    assert subs["25459/2025Q3/a.json"].status == "superseded"


def test_a_bad_resubmission_leaves_the_accepted_one_current(dirs: tuple[Path, Path]) -> None:
    inbox, home = dirs
    write(inbox, "25459/2025Q3/a.json", valid_doc(), at(date(2025, 10, 2)))
    bad = changed(valid_doc(), indicators={"POPULATION": 1})
    write(inbox, "25459/2025Q3/b.json", bad, at(date(2025, 10, 9)))
    run(inbox, home)
    subs = submissions(home)
    assert subs["25459/2025Q3/a.json"].status == "accepted"
    assert subs["25459/2025Q3/b.json"].status == "rejected"


def test_same_bytes_same_path_is_one_submission_and_reruns_are_no_ops(
    dirs: tuple[Path, Path],
) -> None:
    inbox, home = dirs
    path = write(inbox, "25459/2025Q3/a.json", valid_doc(), at(date(2025, 10, 2)))
    run(inbox, home)
    before = dump(home)
    path.touch()  # same bytes, new time: still the same submission
    run(inbox, home)
    assert dump(home) == before
    # the same bytes at another path are a new submission
    write(inbox, "25459/2025Q3/copy.json", valid_doc(), at(date(2025, 10, 3)))
    run(inbox, home)
    subs = submissions(home)
    assert len(subs) == 2 and subs["25459/2025Q3/copy.json"].status == "accepted"
    assert subs["25459/2025Q3/a.json"].status == "superseded"
    assert len({s.content_sha256 for s in subs.values()}) == 1
    raws = [k for k in dump(home)["objects"] if k.startswith("raw/")]
    assert len(raws) == 1  # archived once, by content


def _boom(home: Path, table: str, when: str) -> list[str]:
    """SQL that makes inserting a row of ``table`` fail where ``when`` holds (``NEW.…``)."""
    if db_url(home).startswith("sqlite"):
        return [
            f"CREATE TRIGGER boom BEFORE INSERT ON {table} WHEN {when} "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        ]
    return [
        "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF {when} THEN RAISE EXCEPTION 'disk on fire'; END IF; "
        "RETURN NEW; END $$",
        f"CREATE TRIGGER boom BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION boom()",
    ]


def _unboom(home: Path, table: str) -> None:
    sqlite = db_url(home).startswith("sqlite")
    _sql(home, "DROP TRIGGER boom" if sqlite else f"DROP TRIGGER boom ON {table}")


def _sql(home: Path, *statements: str) -> list[Any]:
    engine = make_engine(db_url(home))
    with engine.begin() as conn:
        out = [
            conn.exec_driver_sql(sql).fetchall()
            if sql.startswith("SELECT")
            else conn.exec_driver_sql(sql)
            for sql in statements
        ]
    engine.dispose()
    return out


def _three_collected(tmp_path: Path) -> tuple[Path, Path]:
    """Three units' files, collected (received) and not yet decided."""
    from flows.collect import collect_submissions

    inbox, home = tmp_path / "inbox", tmp_path / "crash"
    for n, unit in enumerate(["25459", "25480", "25486"]):
        write(inbox, f"{unit}/2025Q3/r.json", valid_doc(unit), at(date(2025, 10, 2 + n)))
    collect_submissions(inbox=str(inbox), home=str(home))
    return inbox, home


def test_a_crash_inside_the_store_step_leaves_nothing_half_written(
    tmp_path: Path, prefect_api: str, chiso_db: str
) -> None:
    from flows.process import process_submissions

    inbox, home = _three_collected(tmp_path)
    # the database refuses to record any decision: an infrastructure failure, raised
    _sql(home, *_boom(home, "decision", "NEW.submission_id IS NOT NULL"))
    with pytest.raises(Exception, match="disk on fire"):
        process_submissions(home=str(home))
    subs = submissions(home)
    # the batch is one transaction: rolled back whole, the 25459 before the crash included
    assert {s.status for s in subs.values()} == {"received"}
    rows, decisions, ents = _sql(
        home,
        "SELECT count(*) FROM reported_figure",
        "SELECT count(*) FROM decision",
        "SELECT count(*) FROM enterprise_record",
    )
    assert (rows[0][0], decisions[0][0], ents[0][0]) == (0, 0, 0)
    _unboom(home, "decision")
    process_submissions(home=str(home))
    expected = dump(home)
    with chiso_database(db_kind(home)):
        clean = tmp_path / "clean"
        run(inbox, clean)
        assert expected == dump(clean)


def test_one_submission_that_fails_to_store_is_rejected_alone(
    tmp_path: Path, prefect_api: str, chiso_db: str
) -> None:
    from flows.process import process_submissions

    _, home = _three_collected(tmp_path)
    bad = valid_doc("25480")["enterprises"][1]["tax_code"]
    _sql(home, *_boom(home, "enterprise_record", f"NEW.tax_code = '{bad}'"))
    summary = process_submissions(home=str(home))
    subs = submissions(home)
    assert {k: s.status for k, s in subs.items()} == {
        "25459/2025Q3/r.json": "accepted",
        "25480/2025Q3/r.json": "rejected",
        "25486/2025Q3/r.json": "accepted",
    }
    failed = subs["25480/2025Q3/r.json"]
    assert summary["internal_errors"] == [failed.id]
    doc = feedback(home, failed)
    assert [(p["code"], p["severity"]) for p in doc["problems"]] == [("internal_error", "error")]
    assert "Traceback" not in str(doc) and "disk on fire" not in str(doc)  # the operator's
    (rows,) = _sql(home, "SELECT count(*) FROM enterprise_record")
    assert rows[0][0] == 4  # the two accepted files' rosters, nothing of the failed one
    _unboom(home, "enterprise_record")
    process_submissions(home=str(home))  # nothing pending: the rejection stands
    assert submissions(home)["25480/2025Q3/r.json"].status == "rejected"


def test_a_batch_decides_as_one_by_one_would(
    tmp_path: Path, prefect_api: str, chiso_db: str
) -> None:
    from flows.collect import collect_submissions
    from flows.process import process_submissions

    inbox = tmp_path / "inbox"
    doc = valid_doc()
    for n, day in enumerate([9, 2, 12, 5]):
        write(
            inbox,
            f"25459/2025Q3/{n}.json",
            changed(doc, reported_by=str(n)),
            at(date(2025, 10, day)),
        )
    write(inbox, "25480/2025Q3/a.json", valid_doc("25480"), at(date(2025, 10, 3)))
    one, batch = tmp_path / "one", tmp_path / "batch"
    collect_submissions(inbox=str(inbox), home=str(one))
    process_submissions(home=str(one), batch_size=1)
    expected = dump(one)
    with chiso_database(db_kind(one)):  # a second, fresh database
        collect_submissions(inbox=str(inbox), home=str(batch))
        process_submissions(home=str(batch), batch_size=500)
        assert dump(batch) == expected
        subs = submissions(batch)
    assert subs["25459/2025Q3/2.json"].status == "accepted"
    assert subs["25459/2025Q3/2.json"].supersedes == subs["25459/2025Q3/0.json"].id


def test_a_batch_another_run_partly_decided_still_stores_the_rest(
    tmp_path: Path, prefect_api: str, chiso_db: str
) -> None:
    from datetime import UTC, datetime

    from flows.collect import collect_submissions
    from tasks.decide.store import Outcome, pending, record

    inbox, home = tmp_path / "inbox", tmp_path / "home"
    for n, unit in enumerate(["25459", "25480", "25486"]):
        write(inbox, f"{unit}/2025Q3/r.json", valid_doc(unit), at(date(2025, 10, 2 + n)))
    collect_submissions(inbox=str(inbox), home=str(home))
    engine = make_engine(db_url(home))
    now = datetime.now(UTC)
    outcomes = [Outcome(s.id, "rejected", [], None, None, None, now) for s in pending(engine)]
    assert record(engine, outcomes[1:2]) == outcomes[1:2]  # another run was first
    assert record(engine, outcomes) == [outcomes[0], outcomes[2]]
    assert record(engine, outcomes) == []
    (decisions,) = _sql(home, "SELECT submission_id FROM decision ORDER BY id")
    assert [d[0] for d in decisions] == [
        o.submission_id for o in (outcomes[1], outcomes[0], outcomes[2])
    ]
    engine.dispose()
