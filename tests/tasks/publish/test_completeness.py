"""Timeliness by the first accepted submission; missing versus pending."""

from datetime import UTC, datetime

from catalog import UNITS_CSV
from models.catalog import load_units
from models.periods import Period
from tasks.publish.completeness import SubmissionFact, quarter_rows

UNITS = load_units(UNITS_CSV)
Q = Period(2024, 4)  # due 2025-01-15, ends 2025-01-15 17:00 UTC


def fact(sid: str, unit: str, status: str, day: str, hour: int = 9) -> SubmissionFact:
    return SubmissionFact(
        sid, unit, "2024Q4", status, datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)
    )


def test_statuses() -> None:
    facts = [
        fact("a", "703", "superseded", "2025-01-10"),
        fact("b", "703", "accepted", "2025-02-01"),
        fact("c", "705", "accepted", "2025-01-15", 16),
        fact("d", "706", "accepted", "2025-01-15", 17),
        fact("e", "707", "rejected", "2025-01-02"),
        fact("f", "708", "withdrawn", "2025-01-02"),
    ]
    rows = {
        r["unit_code"]: r
        for r in quarter_rows(Q, UNITS.expected(Q), facts, 15, datetime(2025, 3, 1, tzinfo=UTC))
    }
    assert rows["703"]["status"] == "on_time"  # a later correction does not change it
    assert rows["703"]["submission_id"] == "b"
    assert rows["705"]["status"] == "on_time"  # 23:00 local on the due date
    assert rows["706"]["status"] == "late"  # 00:00 local the day after
    assert (rows["707"]["status"], rows["707"]["rejected_count"]) == ("missing", 1)
    assert rows["708"]["status"] == "missing"  # a withdrawn report is no report
    assert len(rows) == 9


def test_pending_until_the_due_date_has_passed() -> None:
    rows = quarter_rows(Q, UNITS.expected(Q), [], 15, datetime(2025, 1, 15, 16, tzinfo=UTC))
    assert {r["status"] for r in rows} == {"pending"}
    rows = quarter_rows(Q, UNITS.expected(Q), [], 15, datetime(2025, 1, 15, 17, tzinfo=UTC))
    assert {r["status"] for r in rows} == {"missing"}


def test_a_row_names_its_quarter_unit_and_first_accepted_submission() -> None:
    facts = [fact("b", "703", "accepted", "2025-01-10"), fact("r", "703", "rejected", "2025-01-02")]
    rows = quarter_rows(Q, UNITS.expected(Q), facts, 15, datetime(2025, 3, 1, tzinfo=UTC))
    assert rows[0] == {
        "period": "2024Q4",
        "unit_code": "703",
        "unit_name": "Thành phố Tây Ninh",
        "status": "on_time",
        "submission_id": "b",
        "received_at": datetime(2025, 1, 10, 9, tzinfo=UTC),
        "rejected_count": 1,
    }
    assert rows[1]["received_at"] is None and rows[1]["submission_id"] is None


def test_the_run_table_shows_each_unit_with_its_receipt_as_text() -> None:
    from tasks.publish.completeness import table_rows

    facts = [fact("b", "703", "accepted", "2025-01-10"), fact("r", "705", "rejected", "2025-01-02")]
    rows = quarter_rows(Q, UNITS.expected(Q), facts, 15, datetime(2025, 3, 1, tzinfo=UTC))
    shown = table_rows(rows)
    assert shown[:2] == [
        {
            "unit": "703",
            "name": "Thành phố Tây Ninh",
            "status": "on_time",
            "received_at": "2025-01-10T09:00:00+00:00",
            "rejected": 0,
        },
        {
            "unit": "705",
            "name": "Huyện Tân Biên",
            "status": "missing",
            "received_at": "",
            "rejected": 1,
        },
    ]
    assert len(shown) == len(rows) == 9
