"""The GX suites on every contract case, in this process (no Prefect, no database): each
case's problems, every field the unit's feedback shows, as recorded in ``golden/``.

tests/flows/test_process.py runs the same cases end to end; this is the fast check the
mutation tests (scripts/mutation.sh) lean on. After an intended change of a message or an
``expected`` text, rewrite the record: ``GOLDEN=write pytest tests/expectations``.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from catalog import UNITS_CSV
from expectations.frames import Item
from expectations.rules import Rules
from models.catalog import code_key, load_indicators, load_units, reported_figures
from models.periods import Period
from tasks.decide.validate import validate_content
from tasks.intake.parse import parse_file
from tests.flows.test_process import CASES, COMMUNES
from tests.support.inbox import changed, valid_doc, write

ENT = valid_doc()["enterprises"][0]


def _ent(**changes: Any) -> dict[str, Any]:
    """A document change: one roster enterprise, the first of the valid one changed."""
    return {"enterprises": [ENT | changes]}


def _figs(**changes: int) -> dict[str, Any]:
    return dict(valid_doc()["indicators"]) | changes


GOLDEN = Path(__file__).parent / "golden" / "cases.json"
RECEIVED = datetime(2025, 10, 5, 9, tzinfo=UTC)
# cases the flow tests leave to this one: name -> (file name, document change, codes)
EXTRA: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "name_missing": ("r.json", _ent(name=""), ["name_missing"]),
    "yes_no_unknown": ("r.json", _ent(dx_capable="maybe"), ["yes_no_unknown"]),
    "yes_no_words": ("r.json", _ent(dx_capable="Có"), []),
    "date_invalid": ("r.json", _ent(established_on="30/02/2024"), ["date_invalid"]),
    "date_words": ("r.json", _ent(established_on="hôm qua"), ["date_invalid"]),
    "date_slashes": ("r.json", _ent(established_on="01/03/2019"), []),
    "established_on_last_day": ("r.json", _ent(established_on="2025-09-30"), []),
    "established_next_day": ("r.json", _ent(established_on="2025-10-01"), ["established_after_period"]),  # noqa: E501
    "products_tcvn3": ("r.json", _ent(main_products="PhÇn mÒm"), ["legacy_encoding"]),
    "contact_vni": ("r.json", {"contact": "Vieät"}, ["legacy_encoding"]),
    "district_after_merger": ("r.json", {"unit_code": "703"}, ["path_mismatch", "unit_not_valid"]),
    "status_words": ("r.json", _ent(status="đang hoạt động"), []),
    "period_current": ("r.json", {"period": "2025Q4"}, ["period_future"]),  # not ended
    "type_label": ("r.json", _ent(type="dn cntt-vt "), []),
    "unit_code_blank": ("r.json", {"unit_code": None}, ["field_missing"]),
    "commune_before_merger": ("r.json", {"period": "2025Q2"}, ["unit_not_valid"]),
    "period_words": ("r.json", {"period": "Quý III/2025"}, []),
    "one_class": ("r.json", {"indicators": _figs(DX_CLASSES=1, DX_TRAINEES=30)}, []),
    "online_all": ("r.json", {"indicators": _figs(PROC_ONLINE_FULL=150)}, []),
    "roster_equals_total": ("r.json", {"indicators": _figs(ENT_ACTIVE_TOTAL=2)}, []),
}  # fmt: skip
CROSS = {"late", "stock_change", "tax_code_other_unit", "tax_code_conflict"}  # need history


def _rules(today: date) -> Rules:
    units = load_units(UNITS_CSV)
    rows = [(code_key(u.code), u.level, u.valid_from, u.valid_to) for u in units.units]
    return Rules.build(
        rows, reported_figures(load_indicators()), Period.containing(today).previous()
    )


def _cases() -> dict[str, tuple[str, Any]]:
    both = {name: (fname, change) for name, (fname, change, _, _) in CASES.items()}
    return both | {name: (fname, change) for name, (fname, change, _) in EXTRA.items()}


def _items(tmp: Path) -> list[Item]:
    items = []
    for unit, (name, (fname, change)) in zip(COMMUNES, _cases().items(), strict=False):
        content = change if isinstance(change, bytes) else changed(valid_doc(unit), **change)
        period = (change.get("period") if isinstance(change, dict) else None) or "2025Q3"
        path = write(tmp, f"{unit}/{period}/{fname}", content, RECEIVED)
        items.append(Item(name, parse_file(fname, path.read_bytes()), unit, period))
    return items


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    items = _items(tmp_path_factory.mktemp("cases"))
    problems = validate_content(items, _rules(date(2025, 10, 5)))
    return {
        it.submission_id: [p.to_dict() for p in problems.get(it.submission_id, [])] for it in items
    }


def test_every_case_gives_the_problems_its_unit_is_shown(
    found: dict[str, list[dict[str, Any]]],
) -> None:
    mine = {name: [p for p in found[name] if p["code"] not in CROSS] for name in _cases()}
    if os.environ.get("GOLDEN") == "write":
        GOLDEN.write_text(json.dumps(mine, ensure_ascii=False, indent=1) + "\n", "utf-8")
    assert mine == json.loads(GOLDEN.read_text("utf-8"))


def test_the_record_agrees_with_the_contract_cases(
    found: dict[str, list[dict[str, Any]]],
) -> None:
    # the record is not its own truth: each case's codes and places are the contract's
    for name, (_, _, status, expected) in CASES.items():
        shown = [
            (p["code"], p["severity"], p["sheet"], p["row"], p["field"], p["value"])
            for p in found[name]
        ]
        assert shown == [e for e in expected if e[0] not in CROSS], name
        assert (status == "rejected") == any(p["severity"] == "error" for p in found[name]), name
    for name, (_, _, codes) in EXTRA.items():
        assert sorted(p["code"] for p in found[name]) == codes, name
