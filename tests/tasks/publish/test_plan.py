"""Which publications a run makes: quarters that have begun and have units, each year
right after its quarters."""

from __future__ import annotations

from datetime import date

from catalog import UNITS_CSV
from models.catalog import load_units
from tasks.publish.plan import publication_order

UNITS = load_units(UNITS_CSV)


def test_each_year_follows_its_quarters_with_the_quarters_it_takes() -> None:
    asked = ["2025Q3", "2024q4", "2025-Q1", "2025Q3", "2024"]
    assert publication_order(UNITS, asked, date(2025, 12, 1)) == [
        ("2024Q4", set()),
        ("2024", {"2024Q4"}),
        ("2025Q1", set()),
        ("2025Q3", set()),
        ("2025", {"2025Q1", "2025Q3"}),
    ]


def test_a_quarter_not_begun_or_without_units_is_not_published() -> None:
    today = date(2025, 10, 1)  # the first day of 2025Q4
    assert publication_order(UNITS, ["2025Q4"], today) == [("2025Q4", set()), ("2025", {"2025Q4"})]
    assert publication_order(UNITS, ["2026Q1", "2026"], today) == []  # not begun
    assert publication_order(UNITS, ["1990Q1", "1990"], today) == []  # no unit reported then
    assert publication_order(UNITS, ["2025"], today) == [("2025", set())]  # a year alone
