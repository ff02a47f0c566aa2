"""Suite for checks across submissions (warnings): lateness, stock jumps, shared tax codes."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.rules import meta
from models.problems import Code


def late_expectations() -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="due_end",
            column_B="received",
            or_equal=False,
            meta=meta(
                Code.LATE,
                sheet=None,
                field="received_at",
                display="received_text",
                expected_col="due_text",
                expected_prefix="before the end of ",
            ),
        )
    ]


def stock_expectations() -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="change",
            max_value=0.5,
            meta=meta(
                Code.STOCK_CHANGE,
                sheet="indicators",
                field_col="code",
                display="value_text",
                expected_col="previous_text",
                expected_prefix="within ±50 % of the previous quarter: ",
            ),
        )
    ]


def shared_code_expectations() -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToBeNull(
            column="other_unit",
            meta=meta(
                Code.TAX_CODE_OTHER_UNIT,
                sheet="enterprises",
                field="tax_code",
                display="tax_code",
                expected_col="other_unit",
                expected_prefix="not reported by another unit; also in ",
            ),
        ),
        gxe.ExpectColumnValuesToBeNull(
            column="conflict_unit",
            meta=meta(
                Code.TAX_CODE_CONFLICT,
                sheet="enterprises",
                field="tax_code",
                display="tax_code",
                expected_col="conflict_text",
            ),
        ),
    ]
