"""Suite for the ``info`` part: unit, period, path agreement, text encoding."""

from __future__ import annotations

from typing import Literal

import great_expectations.expectations as gxe

from expectations.custom import ExpectColumnValuesToNotBeLegacyEncoded, ExpectUnitToBeValidInPeriod
from expectations.rules import Rules, meta
from models.problems import Code

SHEET = "info"


def expectations(rules: Rules) -> list[gxe.Expectation]:
    either: Literal["either_value_is_missing"] = "either_value_is_missing"
    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column="unit_code",
            meta=meta(
                Code.FIELD_MISSING, sheet=SHEET, field="unit_code", expected="the unit's code"
            ),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="period_raw",
            meta=meta(Code.FIELD_MISSING, sheet=SHEET, field="period", expected="YYYYQn"),
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="period",
            regex=r"^\d{4}Q[1-4]$",
            meta=meta(
                Code.PERIOD_MALFORMED,
                sheet=SHEET,
                field="period",
                display="period_raw",
                expected="YYYYQn, e.g. 2025Q3 (also Q3/2025, Quý III/2025)",
            ),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="unit_validity",
            row_condition="unit_key.notna()",
            condition_parser="pandas",
            meta=meta(
                Code.UNIT_UNKNOWN,
                sheet=SHEET,
                field="unit_code",
                display="unit_code",
                expected="a reporting unit code of the catalog",
            ),
        ),
        ExpectUnitToBeValidInPeriod(
            column_A="unit_validity",
            column_B="period_last",
            meta=meta(
                Code.UNIT_NOT_VALID,
                sheet=SHEET,
                field="unit_code",
                display="unit_code",
                expected="a unit valid on the period's last day",
            ),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="period_index",
            max_value=rules.last_ended_index,
            meta=meta(
                Code.PERIOD_FUTURE,
                sheet=SHEET,
                field="period",
                display="period",
                expected=f"a quarter that has ended (latest {rules.last_ended})",
            ),
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="unit_key",
            column_B="path_unit_key",
            ignore_row_if=either,
            meta=meta(
                Code.PATH_MISMATCH,
                sheet=SHEET,
                field="unit_code",
                display="unit_code",
                expected_col="path_unit_key",
            ),
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="period",
            column_B="path_period",
            ignore_row_if=either,
            meta=meta(
                Code.PATH_MISMATCH,
                sheet=SHEET,
                field="period",
                display="period",
                expected_col="path_period",
            ),
        ),
        ExpectColumnValuesToNotBeLegacyEncoded(
            column="reported_by",
            meta=meta(
                Code.LEGACY_ENCODING, sheet=SHEET, field="reported_by", expected="Unicode text"
            ),
        ),
        ExpectColumnValuesToNotBeLegacyEncoded(
            column="contact",
            meta=meta(Code.LEGACY_ENCODING, sheet=SHEET, field="contact", expected="Unicode text"),
        ),
    ]
