"""Suites for the ``indicators`` part: codes, values, required figures, pairs, totals."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.rules import Rules, meta
from models.problems import Code

SHEET = "indicators"


def row_expectations(rules: Rules) -> list[gxe.Expectation]:
    """On the long frame: one row per figure as listed."""
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="code",
            value_set=sorted(rules.figures),
            meta=meta(
                Code.FIGURE_UNKNOWN,
                sheet=SHEET,
                field_col="code",
                display="code",
                expected="a code of the indicator catalog",
            ),
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["submission_id", "code"],
            meta=meta(
                Code.FIGURE_DUPLICATE,
                sheet=SHEET,
                field_col="code",
                display="code",
                expected="each code once",
            ),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="int_value",
            min_value=0,
            meta=meta(
                Code.FIGURE_NOT_INTEGER,
                sheet=SHEET,
                field_col="code",
                display="raw",
                expected="a non-negative integer (1234 or 1.234)",
            ),
        ),
    ]


def submission_expectations(rules: Rules) -> list[gxe.Expectation]:
    """On the wide frame: one row per submission, a column per figure."""
    out: list[gxe.Expectation] = [
        gxe.ExpectColumnValuesToNotBeNull(
            column=code,
            meta=meta(Code.FIGURE_MISSING, sheet=SHEET, field=code, expected="a value (required)"),
        )
        for code, ind in sorted(rules.figures.items())
        if ind.required
    ]
    for a, b in rules.pairs:
        for given, missing in ((a, b), (b, a)):
            out.append(
                gxe.ExpectColumnValuesToNotBeNull(
                    column=missing,
                    row_condition=f"`{given}`.notna()",
                    condition_parser="pandas",
                    meta=meta(
                        Code.PAIR_BROKEN,
                        sheet=SHEET,
                        field=missing,
                        expected=f"{a} and {b}: both or neither",
                    ),
                )
            )
    out += [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="PROC_ELIGIBLE",
            column_B="PROC_ONLINE_FULL",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=meta(
                Code.ONLINE_EXCEEDS_ELIGIBLE,
                sheet=SHEET,
                field="PROC_ONLINE_FULL",
                display="PROC_ONLINE_FULL",
                expected_col="PROC_ELIGIBLE",
                expected_prefix="≤ PROC_ELIGIBLE = ",
            ),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="DX_CLASSES",
            min_value=1,
            row_condition="DX_TRAINEES > 0",
            condition_parser="pandas",
            meta=meta(
                Code.TRAINEES_WITHOUT_CLASSES,
                sheet=SHEET,
                field="DX_CLASSES",
                display="DX_CLASSES",
                expected="at least 1 class when DX_TRAINEES > 0",
            ),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="DX_TRAINEES",
            min_value=1,
            row_condition="DX_CLASSES > 0",
            condition_parser="pandas",
            meta=meta(
                Code.CLASSES_WITHOUT_TRAINEES,
                sheet=SHEET,
                field="DX_TRAINEES",
                display="DX_TRAINEES",
                expected="at least 1 trainee when DX_CLASSES > 0",
            ),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="ENT_ACTIVE_TOTAL",
            column_B="active_roster",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=meta(
                Code.ROSTER_EXCEEDS_TOTAL,
                sheet="enterprises",
                field="ENT_ACTIVE_TOTAL",
                display="active_roster",
                expected_col="ENT_ACTIVE_TOTAL",
                expected_prefix="active roster ≤ ENT_ACTIVE_TOTAL = ",
            ),
        ),
    ]
    return out
