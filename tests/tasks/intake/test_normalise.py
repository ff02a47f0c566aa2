"""Value normalisers: counts, dates, words, tax codes, labels."""

from datetime import date, datetime

import pytest

from tasks.intake.normalise import (
    clean_text,
    key,
    normalise_tax_code,
    parse_count,
    parse_date,
    parse_status,
    parse_type,
    parse_yes_no,
)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (1234, 1234),
        (1234.0, 1234),
        ("1234", 1234),
        (" 1234 ", 1234),
        ("1.234", 1234),
        ("1.234.567", 1234567),
        ("0", 0),
        ("007", 7),
    ],
)
def test_counts_that_are_non_negative_integers(raw: object, value: int) -> None:
    assert parse_count(raw) == value


@pytest.mark.parametrize(
    "raw",
    [
        "2,5",
        "1,234",
        "1.23",
        "NaN",
        "-5",
        -5,
        12.5,
        1.234,
        float("nan"),
        float("inf"),
        True,
        "",
        None,
        "1 234",
        "12a",
        "1.2345",
        "١٢٣",  # Arabic-Indic digits: refused, as in unit codes and periods
        "１２",  # fullwidth digits
        "9" * 5000,  # int() of this many digits raises: never attempted
    ],
)
def test_everything_else_is_not_a_count(raw: object) -> None:
    assert parse_count(raw) is None


def test_only_ascii_digits_make_a_period_or_a_unit_code() -> None:
    from models.catalog import code_key
    from models.periods import Period

    assert Period.try_parse("٢٠٢٥Q3") is None and Period.try_parse("２０２５Q3") is None
    assert code_key("٠٧٠٣") != code_key("0703") == "703"


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("01/03/2019", date(2019, 3, 1)),
        ("1/3/2019", date(2019, 3, 1)),
        ("2019-03-01", date(2019, 3, 1)),
        (date(2019, 3, 1), date(2019, 3, 1)),
        (datetime(2019, 3, 1, 0, 0), date(2019, 3, 1)),
        (43525, date(2019, 3, 1)),
        (43525.0, date(2019, 3, 1)),
    ],
)
def test_dates_in_every_accepted_form(raw: object, day: date) -> None:
    assert parse_date(raw) == day


@pytest.mark.parametrize("raw", ["31/02/2019", "2019/03/01", "March 2019", "", None, 1.5])
def test_unreadable_dates(raw: object) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("yes", True),
        ("Có", True),
        ("x", True),
        ("X", True),
        (True, True),
        (1, True),
        ("true", True),
        ("no", False),
        ("không", False),
        ("", False),
        (None, False),
        (False, False),
        (0, False),
        ("KHÔNG", False),
        ("maybe", None),
        ("2", None),
    ],
)
def test_yes_no_words(raw: object, value: bool | None) -> None:
    assert parse_yes_no(raw) is value


def test_types_and_statuses_by_key_or_vietnamese_label() -> None:
    assert parse_type("DN CNTT-VT") == parse_type("ict") == "ICT"
    assert parse_type(" khởi  nghiệp số ") == "DIGITAL_STARTUP"
    assert parse_type("Khởi nghiệp ứng dụng CNS") == "STARTUP_APPLYING_DT"
    assert parse_type("chuyển đổi sang CNS") == "CONVERTED"
    assert parse_type("software") is None
    assert parse_status("Hoạt động") == parse_status("đang hoạt động") == "active"
    assert parse_status("tạm ngừng") == "suspended"
    assert parse_status("GIẢI THỂ") == "dissolved"
    assert parse_status("closed") is None


def test_tax_codes() -> None:
    assert normalise_tax_code(100109106) == "0100109106"
    assert normalise_tax_code(100109106.0) == "0100109106"
    assert normalise_tax_code(" 3900244389-001 ") == "3900244389-001"
    assert normalise_tax_code("100109106") == "100109106"  # text is never padded


def test_text_is_nfc_trimmed_and_single_spaced() -> None:
    import unicodedata

    assert clean_text(unicodedata.normalize("NFD", "  Hòa   Thành ")) == "Hòa Thành"
    assert clean_text(703.0) == "703" and clean_text(None) == ""
    assert key("  MÃ ĐƠN VỊ") == "mã đơn vị"


def test_white_space_is_folded_as_the_regular_expressions_fold_it() -> None:
    """``clean_text`` folds white space with ``str.split``; it must agree with ``\\s+``
    collapsed and the ends trimmed (the rule it replaced) for every character, alone, in
    runs and between words, in ASCII and non-ASCII text."""
    import re
    import sys
    import unicodedata

    space = re.compile(r"\s+")

    def by_regex(text: str) -> str:
        return space.sub(" ", unicodedata.normalize("NFC", text)).strip()

    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        for text in (ch, f"a{ch}b", f" {ch}{ch} x", f"Hòa{ch}{ch}Thành{ch}"):
            assert clean_text(text) == by_regex(text), hex(cp)


def test_a_lookup_finds_a_key_by_itself_or_its_label_the_first_when_both_match() -> None:
    from tasks.intake.normalise import Lookup

    names = {"ICT": "DN CNTT-VT", "OTHER": "Khác", "ict": "ICT"}  # "ict" is ICT's key too
    lookup = Lookup(names)
    assert lookup.names is names
    assert lookup.match("ict") == "ICT" and lookup.match(" dn cntt-vt ") == "ICT"
    assert lookup.match("KHÁC") == "OTHER" and lookup.match("other") == "OTHER"
    assert lookup.match("nothing") is None and lookup.match(None) is None


def test_clean_text_writes_cells_as_a_person_reads_them() -> None:
    assert (clean_text(True), clean_text(False)) == ("true", "false")
    assert clean_text(datetime(2024, 3, 1)) == "2024-03-01"  # a date cell's midnight
    assert clean_text(datetime(2024, 3, 1, 9, 30)) == "2024-03-01T09:30:00"
    assert clean_text(None) == ""


def test_counts_dates_statuses_and_tax_codes_at_their_edges() -> None:
    from tasks.intake.normalise import MAX_COUNT_CHARS

    assert parse_count("1" * MAX_COUNT_CHARS) == int("1" * MAX_COUNT_CHARS)
    assert parse_count("1" * (MAX_COUNT_CHARS + 1)) is None
    assert parse_date(1) == date(1899, 12, 31) and parse_date(0) is None  # Excel serials
    assert parse_date(2958465) == date(9999, 12, 31) and parse_date(2958466) is None
    assert parse_date("1.3.2019") == date(2019, 3, 1) and parse_date("1/3/2019x") is None
    assert parse_date("2019-03-01 ") == date(2019, 3, 1) and parse_date("2019-3-1") is None
    for words, status in (
        ("đang hoạt động", "active"),
        ("Đã giải thể", "dissolved"),
        ("tạm ngừng hoạt động", "suspended"),
        ("tạm ngưng", "suspended"),
    ):
        assert parse_status(words) == status
    assert normalise_tax_code(3900244389.5) == "3900244389.5"  # not a whole number: as written
    assert normalise_tax_code(" 3900 244 389 ") == "3900244389"
