"""Custom GX expectations: tax-code check digit, legacy-encoded text, unit valid in period.

Importing this module registers them with GX; it must happen before a suite uses them.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    ColumnPairMapExpectation,
)
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.column_pair_condition_partial import (  # noqa: E501
    column_pair_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.column_pair_map_metric_provider import (  # noqa: E501
    ColumnPairMapMetricProvider,
)

from expectations.legacy_text import is_legacy_encoded

TAX_CODE_SHAPE = r"^[0-9]{10}(-[0-9]{3})?\Z"  # ASCII digits only


_SHAPE = re.compile(TAX_CODE_SHAPE)
_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def is_valid_tax_code(code: object) -> bool:
    """A 10-digit enterprise code or ``NNNNNNNNNN-NNN`` branch code with a valid check digit.

    Checked here with python-stdnum's rules (``stdnum.vn.mst``: no ``0000000`` in digits
    3-9, no ``000`` branch, the weighted check digit), about ten times faster than calling
    it per value on a national roster; a test holds the two equal. ASCII digits only:
    another script's digits (which stdnum would map to ASCII) would be counted as another
    enterprise than the same code in ASCII (the reader folds fullwidth digits first)."""
    text = str(code)
    if not _SHAPE.match(text):
        return False
    digits = text.replace("-", "")
    if digits[2:9] == "0000000" or (len(digits) == 13 and digits.endswith("000")):
        return False
    total = sum(w * (ord(d) - 48) for w, d in zip(_WEIGHTS, digits, strict=False))
    return digits[9] == str(10 - total % 11)


class ColumnValuesVnTaxCode(ColumnMapMetricProvider):
    """Metric: the value is a valid Vietnamese enterprise tax code."""

    condition_metric_name = "column_values.chiso_vn_tax_code"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        return column.map(is_valid_tax_code)


class ExpectColumnValuesToBeValidVnTaxCode(ColumnMapExpectation):
    """Expect tax codes (mã số thuế) to have the right shape and check digit."""

    map_metric = "column_values.chiso_vn_tax_code"
    success_keys = ("mostly",)


class ColumnValuesNotLegacyEncoded(ColumnMapMetricProvider):
    """Metric: the text is not TCVN3/VNI mojibake."""

    condition_metric_name = "column_values.chiso_not_legacy_encoded"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        return ~column.map(lambda v: is_legacy_encoded(str(v)))


class ExpectColumnValuesToNotBeLegacyEncoded(ColumnMapExpectation):
    """Expect text to be Unicode Vietnamese, not TCVN3/VNI text read as Windows-1252."""

    map_metric = "column_values.chiso_not_legacy_encoded"
    success_keys = ("mostly",)


class ColumnPairUnitValidInPeriod(ColumnPairMapMetricProvider):
    """Metric: a unit's validity (column A, ``from|to`` ISO dates, ``to`` blank = still
    valid) covers the period's last day (column B, ISO)."""

    condition_metric_name = "column_pair_values.chiso_unit_valid_in_period"

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A: pd.Series, column_B: pd.Series, **kwargs: Any) -> pd.Series:
        def ok(span: object, last_day: object) -> bool:
            start, _, end = str(span).partition("|")
            return start <= str(last_day) and (not end or str(last_day) <= end)

        return pd.Series(
            [ok(a, b) for a, b in zip(column_A, column_B, strict=True)], index=column_A.index
        )


class ExpectUnitToBeValidInPeriod(ColumnPairMapExpectation):
    """Expect each reporting unit to be valid on its period's last day (effective dating)."""

    map_metric = "column_pair_values.chiso_unit_valid_in_period"
    success_keys = ("mostly", "ignore_row_if")
    ignore_row_if: str = "either_value_is_missing"
