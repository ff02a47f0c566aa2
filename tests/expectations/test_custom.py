"""The tax-code check equals the shape rule plus python-stdnum's ``vn.mst`` on every input."""

from __future__ import annotations

import random
import re

import pytest
from stdnum.vn import mst

from expectations.custom import TAX_CODE_SHAPE, is_valid_tax_code


def reference(code: object) -> bool:
    """The rule as first written: the shape, then stdnum per value."""
    text = str(code)
    return bool(re.match(TAX_CODE_SHAPE, text)) and mst.is_valid(text)


def with_check_digit(first9: str) -> str:
    total = sum(w * int(d) for w, d in zip((31, 29, 23, 19, 17, 13, 7, 5, 3), first9, strict=True))
    return first9 + str(10 - total % 11)[-1]


def samples() -> list[object]:
    rng = random.Random(6)
    out: list[object] = []
    for _ in range(4000):
        base = with_check_digit("".join(rng.choice("0123456789") for _ in range(9)))
        out += [base, base + "-" + f"{rng.randrange(1000):03d}", base[:9] + str(rng.randrange(10))]
        out.append("".join(rng.choice("0123456789") for _ in range(10)))
    out += [
        "0100233488",  # stdnum's own examples
        "0314409058-002",
        "0100233480",
        "0100000008",  # 0000000 in digits 3-9
        "0314409058-000",  # branch 000
        "0100233488\n",  # the shape's $ allows a trailing newline
        "0100233488 ",
        " 0100233488",
        "01.00.233.488",
        "0100233488002",
        "０１００２３３４８８",  # full-width digits: stdnum maps them to ASCII
        "٠١٠٠٢٣٣٤٨٨",  # Arabic-Indic digits
        "0100233488–002",  # an en dash
        "",
        "abc",
        100233488,
        None,
        3.5,
    ]
    return out


def test_fast_check_equals_stdnum_on_every_sample() -> None:
    mismatches = [c for c in samples() if is_valid_tax_code(c) != reference(c)]
    assert mismatches == []


@pytest.mark.parametrize(("code", "valid"), [("0100233488", True), ("0100233480", False)])
def test_known_codes(code: str, valid: bool) -> None:
    assert is_valid_tax_code(code) is valid


def test_seven_zeros_after_the_province_digits_are_refused_with_any_check_digit() -> None:
    zeros = with_check_digit("010000000")
    assert reference(zeros) is False and is_valid_tax_code(zeros) is False
    assert is_valid_tax_code(with_check_digit("011000000")) is True  # six zeros: fine
    assert is_valid_tax_code(with_check_digit("011000000") + "-000") is False  # no 000 branch
