"""Problem codes: one enum, a message pair for each, values shown but never carried raw."""

from __future__ import annotations

import pytest

from models.problems import MESSAGES, Code, Severity, cap_per_code, counts_by_code, problem


def test_every_code_has_its_severity_and_both_messages() -> None:
    assert set(MESSAGES) == set(Code)
    for code, (severity, vi, en) in MESSAGES.items():
        assert isinstance(severity, Severity) and vi and en, code


def test_a_problem_is_built_from_its_code_only() -> None:
    p = problem("figure_missing", sheet="Chỉ tiêu", field="SITES_5G", detail="SITES_5G")
    assert (p.code, p.severity) == (Code.FIGURE_MISSING, Severity.ERROR)
    assert p.message_en == "Required figure missing: SITES_5G"
    assert p.message_vi.endswith(": SITES_5G")
    warned = problem(Code.CELL_FORMULA_NO_VALUE, severity=Severity.WARNING)
    assert warned.severity == "warning"  # a code that is an error for some fields only
    with pytest.raises(ValueError):
        problem("no_such_code")  # a defect in chiso, not a unit's problem


def test_a_shown_value_is_visible_text_and_bounded() -> None:
    p = problem(Code.TEXT_INVALID_CHARACTER, value="a\x00b\udc80" + "x" * 300)
    assert p.value is not None and "\x00" not in p.value and "\udc80" not in p.value
    assert len(p.value) == 201 and p.value.endswith("…")
    assert problem(Code.FIELD_MISSING, field="f" * 500).field == "f" * 199 + "…"


def test_each_code_is_capped_and_counted_in_order() -> None:
    found = [problem(Code.DATE_INVALID, row=i) for i in range(4)]
    found.insert(1, problem(Code.NAME_MISSING, row=9))
    kept = cap_per_code(found, most=2)
    assert [(p.code, p.row) for p in kept] == [
        (Code.DATE_INVALID, 0),
        (Code.NAME_MISSING, 9),
        (Code.DATE_INVALID, 1),
    ]
    assert counts_by_code(found) == {"date_invalid": 4, "name_missing": 1}


def test_a_value_of_200_characters_is_shown_whole_and_a_sheet_name_is_bounded() -> None:
    assert problem(Code.TEXT_TOO_LONG, value="v" * 200).value == "v" * 200
    assert problem(Code.TEXT_TOO_LONG, value="v" * 201).value == "v" * 200 + "…"
    assert problem(Code.SHEET_MISSING, sheet="s" * 201).sheet == "s" * 199 + "…"
    assert problem(Code.SHEET_MISSING, sheet="s" * 200).sheet == "s" * 200


def test_every_expected_text_the_checks_write_has_its_vietnamese() -> None:
    """Each phrase of ``expected`` found in the code's literals is translated (a new
    check's English alone would fall back to itself, which this test catches)."""
    import re
    from pathlib import Path

    from models.expected import vietnamese

    root = Path(__file__).resolve().parents[2]
    found = set()
    for path in [*root.glob("tasks/**/*.py"), *root.glob("expectations/*.py")]:
        found |= set(re.findall(r'expected="([^"{}]+)"', path.read_text("utf-8")))
    assert len(found) > 25
    untranslated = sorted(t for t in found if t.strip(", ") and vietnamese(t) == t)
    assert untranslated == [], untranslated
    assert vietnamese("at most 20 MB") == "tối đa 20 MB"
    assert vietnamese("valid JSON (line 3, col 4)") == "JSON hợp lệ (dòng 3, cột 4)"
