"""Backfill: dry run, re-validating failed files after a catalog fix, idempotence."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from catalog import UNITS_CSV
from tests.support.inbox import at, valid_doc, write
from tests.support.snapshots import versions
from tests.support.state import db_url, submissions


def test_backfill_revalidates_failed_files_and_keeps_old_decisions(
    tmp_path: Path, prefect_api: str, chiso_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.backfill import backfill
    from flows.pipeline import run_pipeline

    inbox, home = tmp_path / "inbox", tmp_path / "home"
    write(inbox, "703/2024Q1/a.json", valid_doc("703", "2024Q1"), at(date(2024, 4, 2)))
    write(inbox, "705/2024Q1/b.json", valid_doc("705", "2024Q1"), at(date(2024, 4, 3)))
    # a catalog that lacks unit 705: its report is rejected as unit_unknown
    partial = tmp_path / "units.csv"
    partial.write_text(
        "".join(
            line
            for line in UNITS_CSV.read_text("utf-8").splitlines(True)
            if not line.startswith("705,")
        ),
        "utf-8",
    )
    monkeypatch.setenv("CHISO_UNITS_CSV", str(partial))
    monkeypatch.setenv("CHISO_SOURCES", str(inbox))
    run_pipeline(home=str(home))
    assert submissions(home)["705/2024Q1/b.json"].status == "rejected"
    monkeypatch.setenv("CHISO_UNITS_CSV", str(UNITS_CSV))  # the catalog is fixed

    dry = backfill(start="2024Q1", end="2024Q1", reprocess="failed", dry_run=True, home=str(home))
    assert dry["quarters"] == ["2024Q1"] and len(dry["reprocess"]) == 1
    assert submissions(home)["705/2024Q1/b.json"].status == "rejected"  # nothing done
    # the plan as a table in the Prefect UI: per quarter, what would be decided again
    import httpx

    body = {"artifacts": {"key": {"any_": ["backfill-plan"]}}, "sort": "CREATED_DESC"}
    (plan,) = httpx.post(f"{prefect_api}/artifacts/filter", json=body | {"limit": 1}).json()
    table = json.loads(plan["data"]) if isinstance(plan["data"], str) else plan["data"]
    assert table == [
        {
            "quarter": "2024Q1",
            "units": "all",
            "units_with_files": 2,
            "submissions": 2,
            "to_decide_again": 1,
            "already_pending": 0,
        }
    ]
    assert "dry run" in plan["description"]

    before = versions(home)
    done = backfill(start="2024Q1", end="2024Q1", reprocess="failed", home=str(home))
    assert done["decided"] == 1
    sub = submissions(home)["705/2024Q1/b.json"]
    assert sub.status == "accepted"
    engine = create_engine(db_url(home))
    with engine.connect() as conn:
        history = (
            conn.execute(
                text("SELECT status FROM decision WHERE submission_id = :s ORDER BY decided_at"),
                {"s": sub.id},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert history == ["rejected", "accepted"]
    after = versions(home)
    assert len(after["2024Q1"] - before["2024Q1"]) == 1  # 705 now counts

    again = backfill(start="2024Q1", end="2024Q1", reprocess="failed", home=str(home))
    assert again["decided"] == 0 and versions(home) == after  # idempotent


def test_reprocessing_accepted_files_replaces_their_rows(
    tmp_path: Path, prefect_api: str, chiso_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # re-deciding an accepted submission stores its figures and roster again: the rows it
    # had are replaced, not duplicated (PostgreSQL writes them with COPY after a delete)
    from flows.backfill import backfill
    from flows.pipeline import run_pipeline

    inbox, home = tmp_path / "inbox", tmp_path / "home"
    write(inbox, "703/2024Q2/a.json", valid_doc("703", "2024Q2"), at(date(2024, 7, 2)))
    monkeypatch.setenv("CHISO_SOURCES", str(inbox))
    run_pipeline(home=str(home))
    sub = submissions(home)["703/2024Q2/a.json"]
    assert sub.status == "accepted"

    def content() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        engine = create_engine(db_url(home))
        with engine.connect() as conn:
            q = "SELECT code, value FROM reported_figure WHERE submission_id = :s ORDER BY code"
            figures = [tuple(r) for r in conn.execute(text(q), {"s": sub.id})]
            q = "SELECT tax_code, name FROM enterprise_record WHERE submission_id = :s ORDER BY 1"
            roster = [tuple(r) for r in conn.execute(text(q), {"s": sub.id})]
        engine.dispose()
        return figures, roster

    before = content()
    assert before[0] and before[1]
    done = backfill(start="2024Q2", end="2024Q2", reprocess="all", home=str(home))
    assert done["decided"] == 1
    assert submissions(home)["703/2024Q2/a.json"].status == "accepted"
    assert content() == before
