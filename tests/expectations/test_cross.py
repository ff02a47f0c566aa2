"""The warnings across submissions (lateness, stock jumps, shared and conflicting tax
codes) on one batch, in this process: the suites of expectations/cross.py on the frames
tasks/decide/crosscheck.py builds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from expectations import cross
from expectations.frames import Item
from models.catalog import load_indicators
from models.problems import Problem
from tasks.decide.crosscheck import Candidate, Ledger, cross_frames
from tasks.decide.validate import merge, run_suite, to_problems
from tasks.intake.parse import parse_file
from tests.support.inbox import changed, valid_doc

STOCKS = {i.code for i in load_indicators() if i.role == "reported" and i.kind == "stock"}


def _candidate(sid: str, unit: str, period: str, day: datetime, **change: Any) -> Candidate:
    doc = changed(valid_doc(unit, period), **change)
    parsed = parse_file("r.json", json.dumps(doc, ensure_ascii=False).encode())
    return Candidate(Item(sid, parsed, unit, period), unit, period, (day, f"file:///{sid}", sid))


def _warnings(cands: list[Candidate]) -> dict[str, list[Problem]]:
    frames, earlier = cross_frames(cands, Ledger(), STOCKS, 15)
    suites = {
        "late": cross.late_expectations(),
        "stock": cross.stock_expectations(),
        "shared": cross.shared_code_expectations(),
    }
    found = [to_problems(frames[n], run_suite(n, frames[n], e)) for n, e in suites.items()]
    return merge(*found, earlier)


def _shown(problems: list[Problem]) -> list[tuple[Any, ...]]:
    return [(p.code, p.severity, p.sheet, p.field, p.value, p.expected) for p in problems]


def _figures(unit: str, **values: int) -> dict[str, Any]:
    return dict(valid_doc(unit)["indicators"]) | values


def test_late_and_stock_jumps_on_both_sides_of_their_thresholds() -> None:
    on_time, late = datetime(2025, 7, 10, tzinfo=UTC), datetime(2025, 10, 16, 17, tzinfo=UTC)
    due_end = datetime(2025, 10, 15, 17, tzinfo=UTC)  # 16 October 00:00 in Vietnam
    q2 = "2025Q2"
    cands = [
        _candidate("a2", "25459", q2, on_time, indicators=_figures("25459", SITES_5G=100)),
        _candidate("a3", "25459", "2025Q3", late, indicators=_figures("25459", SITES_5G=151)),
        _candidate("b2", "25480", q2, on_time, indicators=_figures("25480", SITES_5G=100)),
        _candidate(
            "b3",
            "25480",
            "2025Q3",
            due_end - timedelta(seconds=1),
            indicators=_figures("25480", SITES_5G=150),
        ),
        _candidate("c3", "25486", "2025Q3", due_end),
    ]
    found = _warnings(cands)
    assert _shown(found["a3"]) == [
        (
            "late",
            "warning",
            None,
            "received_at",
            late.isoformat(),
            "before the end of 2025-10-15",
        ),
        (
            "stock_change",
            "warning",
            "indicators",
            "SITES_5G",
            "151",
            "within ±50 % of the previous quarter: 100",
        ),
    ]
    assert "b3" not in found  # received in the due day's last second; a 50 % jump exactly
    assert [p.code for p in found["c3"]] == ["late"]  # received as the due day ended
    assert "a2" not in found and "b2" not in found  # nothing before them


def test_a_shared_tax_code_warns_the_later_and_a_conflict_warns_both() -> None:
    day = datetime(2025, 10, 2, tzinfo=UTC)
    (first,) = valid_doc("25459")["enterprises"][:1]
    other = dict(first) | {"status": "giải thể" if first["status"] != "giải thể" else "hoạt động"}
    cands = [
        _candidate("a", "25459", "2025Q3", day, enterprises=[first]),
        _candidate("b", "25480", "2025Q3", day.replace(hour=1), enterprises=[first]),
        _candidate("c", "25486", "2025Q3", day.replace(hour=2), enterprises=[other]),
    ]
    found = _warnings(cands)
    assert [(p.code, p.value) for p in found["b"]] == [("tax_code_other_unit", first["tax_code"])]
    assert found["b"][0].expected == "not reported by another unit; also in 25459"
    codes = [p.code for p in found["c"]]
    assert codes == ["tax_code_other_unit", "tax_code_conflict"]
    assert str(found["c"][1].expected).startswith("as unit 25459 reports it: ")
    # the earlier submission of the lowest other unit is told too (the province counts it)
    assert [(p.code, p.value) for p in found["a"]] == [("tax_code_conflict", first["tax_code"])]
    assert str(found["a"][0].expected).startswith("as unit 25486 reports it: ")
