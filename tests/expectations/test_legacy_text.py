"""Legacy-encoded Vietnamese (TCVN3, VNI read as Windows-1252) against valid Unicode text."""

from __future__ import annotations

import pytest

from expectations.legacy_text import (
    decode_tcvn3,
    decode_vni,
    is_legacy_encoded,
    is_valid_vietnamese,
)


@pytest.mark.parametrize(
    ("mojibake", "meant", "decode"),
    [
        ("TiÕng ViÖt", "Tiếng Việt", decode_tcvn3),
        ("C«ng ty TNHH PhÇn mÒm", "Công ty TNHH Phần mềm", decode_tcvn3),
        ("Tieáng Vieät", "Tiếng Việt", decode_vni),
        ("Coâng ty", "Công ty", decode_vni),
    ],
)
def test_legacy_text_is_flagged_and_decodes_to_what_was_meant(
    mojibake: str, meant: str, decode: object
) -> None:
    assert is_legacy_encoded(mojibake)
    assert decode(mojibake) == meant  # type: ignore[operator]
    assert is_valid_vietnamese(meant) and not is_legacy_encoded(meant)


@pytest.mark.parametrize(
    "text",
    [
        "VÕ VĂN KIỆT",  # capitals with tones: valid, though TCVN3 has Õ
        "Nguyễn Thị Hoà",  # old tone placement
        "Nguyễn Thị Hòa",
        "Công ty Cổ phần Số hoá Vàm Cỏ",
        "Phần mềm ERP, IoT & AI",  # Latin words, acronyms and signs
        "Café 24°C",  # a Latin letter Vietnamese lacks, but nothing decodes to Vietnamese
        "ASCII only",
        "",
        None,
    ],
)
def test_valid_text_passes(text: str | None) -> None:
    assert not is_legacy_encoded(text)


def test_a_word_with_two_tones_is_not_vietnamese() -> None:
    assert not is_valid_vietnamese("Tiếếng")
    assert is_valid_vietnamese("Tiếng")


# VNI-Windows, as its bytes read in Windows-1252: a base letter then its marks
VNI = {
    "aù": "á", "aø": "à", "aû": "ả", "aõ": "ã", "aï": "ạ",
    "aâ": "â", "aá": "ấ", "aà": "ầ", "aå": "ẩ", "aã": "ẫ", "aä": "ậ",
    "eâ": "ê", "oá": "ố", "oâ": "ô",
    "aê": "ă", "aé": "ắ", "aè": "ằ", "aú": "ẳ", "aü": "ẵ", "aë": "ặ",
    "ô": "ơ", "ö": "ư", "ôù": "ớ", "öï": "ự",
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ",
    "yù": "ý", "uõ": "ũ", "eï": "ẹ",
}  # fmt: skip


def test_the_vni_table_holds_each_letter_in_both_cases() -> None:
    from expectations.legacy_text import _vni_table

    table = _vni_table()
    assert {k: table[k] for k in VNI} == VNI
    lower = {k: v for k, v in table.items() if k == k.lower()}
    assert len(lower) == 68 and len(table) == 136
    assert all(table[k.upper()] == v.upper() for k, v in lower.items())


@pytest.mark.parametrize(
    ("word", "ok"),
    [
        ("Tiếng", True),
        ("VIỆT", True),  # capitals throughout
        ("TiÕng", False),  # a capital inside a lower-case word
        ("Hello", True),  # plain Latin: a name, an English word
        ("iPhone", False),  # a capital inside: as mojibake looks
        ("TCVN", True),  # an acronym
        ("tiếểng", False),  # two tone marks
        ("quyền", True),  # "qu" and "gi" lead, they are no vowel cluster
        ("giữa", True),
        ("thuổâ", False),  # no such vowel cluster
        ("đường", True),
        ("Đường", True),
    ],
)
def test_a_word_is_a_plausible_vietnamese_syllable(word: str, ok: bool) -> None:
    # called directly: is_valid_vietnamese caches its answers per text
    from expectations.legacy_text import _word_ok

    assert _word_ok(word) is ok
