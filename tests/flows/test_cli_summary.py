"""What ``chiso run`` prints at the end: every decision of a small run, only the flagged
ones of a large run (a national quarter would print thousands of rows)."""

from __future__ import annotations

from typing import Any

import pytest

from flows.cli.summary import TABLE_ROWS, print_summary


def _summary(n: int, flagged_every: int) -> dict[str, Any]:
    outcomes = [
        {
            "submission": f"s{i:05d}",
            "unit": f"{i:05d}",
            "period": "2025Q4",
            "status": "rejected" if i % flagged_every == 0 else "accepted",
            "problems": "tax_code: tax_code 123" if i % flagged_every == 0 else "",
        }
        for i in range(n)
    ]
    rejected = sum(o["status"] == "rejected" for o in outcomes)
    return {
        "collected": {"seen": n, "new": n},
        "processed": {
            "decided": n,
            "accepted": n - rejected,
            "rejected": rejected,
            "outcomes": outcomes,
        },
        "published": [],
    }


def test_a_small_run_lists_every_decision(capsys: pytest.CaptureFixture[str]) -> None:
    print_summary(_summary(20, 7))
    out = capsys.readouterr().out
    assert all(f"s{i:05d}" in out for i in range(20))
    assert "decided 20: accepted 17, rejected 3" in out


def test_a_large_run_lists_only_its_flagged_submissions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_summary(_summary(3321, 50))
    out = capsys.readouterr().out
    assert "67 of 3321 submissions with problems" in out
    assert "s00050" in out and "s00051" not in out
    assert "decided 3321: accepted 3254, rejected 67" in out


def test_a_large_run_with_many_flagged_lists_the_first_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_summary(_summary(3321, 2))
    out = capsys.readouterr().out
    assert f"(the first {TABLE_ROWS};" in out
    assert f"s{2 * (TABLE_ROWS - 1):05d}" in out and f"s{2 * TABLE_ROWS:05d}" not in out


def test_the_ui_table_of_a_large_run_holds_its_flagged_submissions() -> None:
    from tasks.decide.runlog import ARTIFACT_ROWS, outcome_table

    small = _summary(ARTIFACT_ROWS, 7)["processed"]["outcomes"]
    assert outcome_table(small) == (small, "Accepted and rejected submissions, with reasons")
    large = _summary(3321, 50)["processed"]["outcomes"]
    table, description = outcome_table(large)
    assert [r["submission"] for r in table] == [f"s{i:05d}" for i in range(0, 3321, 50)]
    assert description.startswith("The 67 of 3321 decided submissions with problems")


def test_the_ui_table_of_a_backfill_holds_at_most_its_rows_rejected_first() -> None:
    from tasks.decide.runlog import ARTIFACT_ROWS, outcome_table

    large = _summary(9000, 3)["processed"]["outcomes"]  # 3,000 rejected
    for i, row in enumerate(large):
        if i % 3 == 1:  # 3,000 accepted with a warning
            row["problems"] = "reported_late: submitted_at 2026-01-20"
    table, description = outcome_table(large)
    assert len(table) == ARTIFACT_ROWS
    assert [r["submission"] for r in table] == [f"s{i:05d}" for i in range(0, 3000, 3)]
    assert description.startswith("1000 of the 6000 of 9000 decided submissions with problems")
    assert "(3000 rejected, listed first)" in description


def test_the_ui_table_stays_far_below_the_apis_event_size_limit() -> None:
    # the API refuses an event over 1,500,000 bytes (artifacts travel as events): a run of
    # files with thousands of long problems each once made an 8 MB table the UI lost
    import json
    from datetime import UTC, datetime

    from models.problems import problem
    from tasks.decide.runlog import outcome_row, outcome_table
    from tasks.decide.store import Outcome

    many = [
        problem("type_unknown", sheet="enterprises", row=n, field="type", value="x" * 500)
        for n in range(20_000)
    ]
    now = datetime.now(UTC)
    rows = [
        outcome_row(
            Outcome(
                f"{i:024d}",
                "rejected",
                many[:50],
                "25459",
                "2025Q3",
                None,
                now,
                None,
                counts=(20_000, 0),
            )
        )
        for i in range(5_000)
    ]
    table, _ = outcome_table(rows)
    size = len(json.dumps(table).encode())
    assert size < 1_500_000 // 3, size
    assert rows[0]["problems"].endswith("… 19995 more")
