"""Collect and process on a real SQLite file and object store: every contract error and
warning, each in its own submission, with the exact problem its feedback reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from catalog import UNITS_CSV
from models.catalog import load_units
from models.periods import Period
from tests.support.inbox import at, changed, tax_code, valid_doc, write
from tests.support.state import feedback, problems, submissions

Q3 = Period(2025, 3)
ON_TIME = at(date(2025, 10, 5))
COMMUNES = [u.code for u in load_units(UNITS_CSV).expected(Q3)]


def _figs(**kw: Any) -> dict[str, Any]:
    figs = dict(valid_doc()["indicators"])
    for k, v in kw.items():
        if v is None:
            figs.pop(k)
        else:
            figs[k] = v
    return figs


def _ents(*changes: dict[str, Any]) -> list[dict[str, Any]]:
    base = valid_doc()["enterprises"]
    return [{**base[i % 2], "tax_code": tax_code(i + 1), **c} for i, c in enumerate(changes)]


# name -> (file name, document change or raw bytes, status, problems)
CASES: dict[str, tuple[str, Any, str, list[tuple[Any, ...]]]] = {
    "clean": ("r.json", {}, "accepted", []),
    "wrong_format": (
        "r.pdf",
        b"%PDF-1.4",
        "rejected",
        [("file_format", "error", None, None, None, ".pdf")],
    ),
    "unreadable": (
        "r.xlsx",
        b"not a workbook",
        "rejected",
        [("file_unreadable", "error", None, None, None, "File is not a zip file")],
    ),
    "missing_sheet": (
        "r.json",
        {"enterprises": None},
        "rejected",
        [("sheet_missing", "error", "enterprises", None, None, None)],
    ),
    "missing_field": (
        "r.json",
        {"period": None},
        "rejected",
        [("field_missing", "error", "info", None, "period", None)],
    ),
    "missing_figure": (
        "r.json",
        {"indicators": _figs(POPULATION=None)},
        "rejected",
        [("figure_missing", "error", "indicators", None, "POPULATION", None)],
    ),
    "unit_unknown": (
        "r.json",
        {"unit_code": "99999"},
        "rejected",
        [
            ("unit_unknown", "error", "info", None, "unit_code", "99999"),
            ("path_mismatch", "error", "info", None, "unit_code", "99999"),
        ],
    ),
    "period_malformed": (
        "r.json",
        {"period": "2025Q5"},
        "rejected",
        [("period_malformed", "error", "info", None, "period", "2025Q5")],
    ),
    "period_future": (
        "r.json",
        {"period": "2099Q1"},
        "rejected",
        [("period_future", "error", "info", None, "period", "2099Q1")],
    ),
    "figure_unknown": (
        "r.json",
        {"indicators": _figs(FOO=3)},
        "rejected",
        [("figure_unknown", "error", "indicators", None, "FOO", "FOO")],
    ),
    "figure_not_integer": (
        "r.json",
        {"indicators": _figs(SITES_5G="2,5")},
        "rejected",
        [("figure_not_integer", "error", "indicators", None, "SITES_5G", "2,5")],
    ),
    "figure_negative": (
        "r.json",
        {"indicators": _figs(SITES_5G=-3)},
        "rejected",
        [("figure_not_integer", "error", "indicators", None, "SITES_5G", "-3")],
    ),
    "pair_broken": (
        "r.json",
        {"indicators": _figs(PROC_ONLINE_FULL=None)},
        "rejected",
        [("pair_broken", "error", "indicators", None, "PROC_ONLINE_FULL", None)],
    ),
    "online_exceeds": (
        "r.json",
        {"indicators": _figs(PROC_ONLINE_FULL=151)},
        "rejected",
        [("online_exceeds_eligible", "error", "indicators", None, "PROC_ONLINE_FULL", "151")],
    ),
    "trainees_no_classes": (
        "r.json",
        {"indicators": _figs(DX_CLASSES=0)},
        "rejected",
        [("trainees_without_classes", "error", "indicators", None, "DX_CLASSES", "0")],
    ),
    "classes_no_trainees": (
        "r.json",
        {"indicators": _figs(DX_TRAINEES=0)},
        "rejected",
        [("classes_without_trainees", "error", "indicators", None, "DX_TRAINEES", "0")],
    ),
    "tax_code_invalid": (
        "r.json",
        {"enterprises": _ents({}, {"tax_code": "3900244388"})},
        "rejected",
        [("tax_code_invalid", "error", "enterprises", 2, "tax_code", "3900244388")],
    ),
    "tax_code_twice": (
        "r.json",
        {"enterprises": _ents({}, {"tax_code": tax_code(1)})},
        "rejected",
        [
            ("tax_code_duplicate", "error", "enterprises", 1, "tax_code", tax_code(1)),
            ("tax_code_duplicate", "error", "enterprises", 2, "tax_code", tax_code(1)),
        ],
    ),
    "type_unknown": (
        "r.json",
        {"enterprises": _ents({"type": "Phần mềm"})},
        "rejected",
        [("type_unknown", "error", "enterprises", 1, "type", "Phần mềm")],
    ),
    "status_unknown": (
        "r.json",
        {"enterprises": _ents({"status": "closed"})},
        "rejected",
        [("status_unknown", "error", "enterprises", 1, "status", "closed")],
    ),
    "established_late": (
        "r.json",
        {"enterprises": _ents({"established_on": "01/10/2025"})},
        "rejected",
        [("established_after_period", "error", "enterprises", 1, "established_on", "2025-10-01")],
    ),
    "roster_exceeds": (
        "r.json",
        {"indicators": _figs(ENT_ACTIVE_TOTAL=1)},
        "rejected",
        [("roster_exceeds_total", "error", "enterprises", None, "ENT_ACTIVE_TOTAL", "2")],
    ),
    "mojibake_tcvn3": (
        "r.json",
        {"enterprises": _ents({"name": "C«ng ty TiÕng ViÖt"})},
        "rejected",
        [("legacy_encoding", "error", "enterprises", 1, "name", "C«ng ty TiÕng ViÖt")],
    ),
    "mojibake_vni": (
        "r.json",
        {"reported_by": "Tieáng Vieät"},
        "rejected",
        [("legacy_encoding", "error", "info", None, "reported_by", "Tieáng Vieät")],
    ),
    "valid_capitals": ("r.json", {"reported_by": "VÕ VĂN KIỆT"}, "accepted", []),
    "xlsx_clean": ("r.xlsx", {}, "accepted", []),
    "xlsx_bad_value": (
        "r.xlsx",
        {"indicators": _figs(SITES_5G="1,234")},
        "rejected",
        [("figure_not_integer", "error", "indicators", 4, "SITES_5G", "1,234")],
    ),
}


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory, prefect_api: str, module_db: str) -> Path:
    """One inbox holding every case (each under its own unit), collected and processed once."""
    from flows.collect import collect_submissions
    from flows.process import process_submissions

    root = tmp_path_factory.mktemp("cases")
    inbox, home = root / "inbox", root / "home"
    for unit, (name, (fname, change, _, _)) in zip(COMMUNES, CASES.items(), strict=False):
        content = change if isinstance(change, bytes) else changed(valid_doc(unit), **change)
        folder_period = (change.get("period") if isinstance(change, dict) else None) or "2025Q3"
        write(inbox, f"{unit}/{folder_period}/{name}_{fname}", content, ON_TIME)
    collect_submissions(inbox=str(inbox), home=str(home))
    process_submissions(home=str(home))
    return home


@pytest.mark.parametrize("case", list(CASES))
def test_each_contract_case(decided: Path, case: str) -> None:
    fname, _, status, expected = CASES[case]
    (sub,) = [s for k, s in submissions(decided).items() if k.endswith(f"{case}_{fname}")]
    doc = feedback(decided, sub)
    assert (sub.status, doc["status"]) == (status, status)
    assert problems(doc) == expected
    assert doc["file"]["name"] == f"{case}_{fname}" and len(doc["file"]["sha256"]) == 64
    for p in doc["problems"]:
        assert p["message_vi"] and p["message_en"] and p["expected"]


def test_a_batch_is_one_result_to_prefect_not_one_per_submission(
    tmp_path: Path, prefect_api: str
) -> None:
    # Prefect keeps each task result, and each element of it, in the flow run's context
    # until the flow run ends: a backfill of 34 batches of 2,000 grew by ~60 MB that way
    from prefect import flow
    from prefect.context import FlowRunContext

    from flows.collect import collect_submissions
    from flows.process import process_submissions

    inbox, home = tmp_path / "inbox", str(tmp_path / "home")
    for unit in COMMUNES[:30]:
        write(inbox, f"{unit}/2025Q3/r.json", valid_doc(unit, "2025Q3"), ON_TIME)

    @flow
    def collect_and_process() -> tuple[int, int]:
        context = FlowRunContext.get()
        assert context is not None
        collect_submissions.fn(inbox=str(inbox), home=home)
        before = len(context.run_results)
        decided = process_submissions.fn(home, batch_size=10)["decided"]
        return decided, len(context.run_results) - before

    decided, linked = collect_and_process()
    assert decided == 30
    assert linked < 30  # a couple per step and batch; one per element, it was 104
