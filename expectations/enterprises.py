"""Suite for the ``enterprises`` roster: tax codes, words, dates, text encoding."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.custom import (
    ExpectColumnValuesToBeValidVnTaxCode,
    ExpectColumnValuesToNotBeLegacyEncoded,
)
from expectations.rules import Rules, meta
from models.form import STATUSES, TYPES
from models.problems import Code

SHEET = "enterprises"


def expectations(rules: Rules) -> list[gxe.Expectation]:
    del rules  # the roster rules need nothing from the catalog
    return [
        ExpectColumnValuesToBeValidVnTaxCode(
            column="tax_code",
            meta=meta(
                Code.TAX_CODE_INVALID,
                sheet=SHEET,
                field="tax_code",
                expected="10 digits (or NNNNNNNNNN-NNN) with a valid check digit",
            ),
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["submission_id", "tax_code"],
            meta=meta(
                Code.TAX_CODE_DUPLICATE,
                sheet=SHEET,
                field="tax_code",
                display="tax_code",
                expected="each tax code once",
            ),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="name",
            meta=meta(
                Code.NAME_MISSING, sheet=SHEET, field="name", expected="the enterprise's name"
            ),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="type",
            value_set=list(TYPES),
            meta=meta(
                Code.TYPE_UNKNOWN,
                sheet=SHEET,
                field="type",
                expected=", ".join(f"{k} ({v})" for k, v in TYPES.items()),
            ),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="status",
            value_set=list(STATUSES),
            meta=meta(
                Code.STATUS_UNKNOWN,
                sheet=SHEET,
                field="status",
                expected=", ".join(f"{k} ({v})" for k, v in STATUSES.items()),
            ),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="dx_capable",
            value_set=[True, False],
            meta=meta(
                Code.YES_NO_UNKNOWN,
                sheet=SHEET,
                field="dx_capable",
                expected="yes/no, có/không, x/blank, true/false, 1/0",
            ),
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="established",
            regex=r"^\d{4}-\d{2}-\d{2}$",
            meta=meta(
                Code.DATE_INVALID,
                sheet=SHEET,
                field="established_on",
                expected="dd/mm/yyyy, yyyy-mm-dd or a date cell",
            ),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="period_end_ord",
            column_B="established_ord",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=meta(
                Code.ESTABLISHED_AFTER_PERIOD,
                sheet=SHEET,
                field="established_on",
                display="established",
                expected="on or before the period's last day",
            ),
        ),
        ExpectColumnValuesToNotBeLegacyEncoded(
            column="name",
            meta=meta(Code.LEGACY_ENCODING, sheet=SHEET, field="name", expected="Unicode text"),
        ),
        ExpectColumnValuesToNotBeLegacyEncoded(
            column="main_products",
            meta=meta(
                Code.LEGACY_ENCODING, sheet=SHEET, field="main_products", expected="Unicode text"
            ),
        ),
    ]
