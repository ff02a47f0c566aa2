"""What the suites know of the world: units' validity, figure pairs, the last quarter."""

from __future__ import annotations

from datetime import date

from expectations.rules import Rules, meta
from models.catalog import load_indicators, reported_figures
from models.periods import Period


def test_rules_from_the_catalog_rows() -> None:
    units = [
        ("72", "province", date(2020, 1, 1), date(2025, 6, 30)),
        ("703", "district", date(2020, 1, 1), date(2025, 6, 30)),
        ("25459", "commune", date(2025, 7, 1), None),
    ]
    rules = Rules.build(units, reported_figures(load_indicators()), Period(2025, 3))
    assert rules.validity == {
        "703": ["2020-01-01", "2025-06-30"],
        "25459": ["2025-07-01", None],
    }  # a province is never a reporting unit
    assert ("PROC_ELIGIBLE", "PROC_ONLINE_FULL") in rules.pairs
    assert ("DX_CLASSES", "DX_TRAINEES") in rules.pairs
    assert rules.pairs == sorted(rules.pairs) and len(rules.pairs) == len(set(rules.pairs))
    assert rules.last_ended_index == 2025 * 4 + 2
    assert meta("late", field="x") == {"problem": "late", "field": "x"}
