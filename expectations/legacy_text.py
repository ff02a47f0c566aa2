"""Recognise Vietnamese text typed in the legacy TCVN3 (ABC) or VNI-Windows encodings.

Such text was read as Windows-1252/Latin-1, so ``Tiếng Việt`` arrives as ``TiÕng ViÖt``
(TCVN3) or ``Tieáng Vieät`` (VNI). Text is flagged when it is not valid Vietnamese but
decoding it as TCVN3 or VNI makes it so; ``VÕ VĂN KIỆT`` is valid and passes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TCVN3_SRC = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦"
_TCVN3_DST = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
TCVN3 = str.maketrans(_TCVN3_SRC, _TCVN3_DST)

_TONES = "\u0301\u0300\u0309\u0303\u0323"  # sắc, huyền, hỏi, ngã, nặng
_VNI_TONE_MARKS = {"plain": "ùøûõï", "circumflex": "áàåãä", "breve": "éèúüë"}


def _vni_table() -> dict[str, str]:
    """VNI-Windows sequences (as read in Windows-1252) and the Unicode letters they mean."""
    table: dict[str, str] = {}

    def add(seq: str, base: str, tone: int | None) -> None:
        letter = base + (_TONES[tone] if tone is not None else "")
        for s, u in ((seq, letter), (seq.upper(), letter.upper())):
            table[s] = unicodedata.normalize("NFC", u)

    for vowel in "aeouy":
        for t, mark in enumerate(_VNI_TONE_MARKS["plain"]):
            add(vowel + mark, vowel, t)
    for vowel, hat in (("a", "â"), ("e", "ê"), ("o", "ô")):
        add(vowel + "â", hat, None)
        for t, mark in enumerate(_VNI_TONE_MARKS["circumflex"]):
            add(vowel + mark, hat, t)
    add("aê", "ă", None)
    for t, mark in enumerate(_VNI_TONE_MARKS["breve"]):
        add("a" + mark, "ă", t)
    for seq, base in (("ô", "ơ"), ("ö", "ư")):
        add(seq, base, None)
        for t, mark in enumerate(_VNI_TONE_MARKS["plain"]):
            add(seq + mark, base, t)
    for t, ch in enumerate("íìæóò"):
        add(ch, "i", t)
    add("î", "y", 4)
    add("ñ", "đ", None)
    return table


_VNI = _vni_table()
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))

_VIET = set("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")
_VIET |= {c.upper() for c in _VIET}
_CLUSTERS = {  # the vowel nuclei of Vietnamese syllables, without tone marks
    *"a ă â e ê i o ô ơ u ư y".split(),
    *"ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy".split(),
    *"ưa ưi ưu ươ yê iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyê uyu uêu".split(),
}
_WORD = re.compile(r"[^\W\d_]+")
_VOWELS = re.compile(r"[aăâeêioôơuưy]+")


def decode_tcvn3(text: str) -> str:
    return text.translate(TCVN3)


def decode_vni(text: str) -> str:
    return _VNI_RE.sub(lambda m: _VNI[m.group(0)], text)


def _word_ok(word: str) -> bool:
    if any(ch.isupper() for ch in word[1:]) and not word.isupper():
        return False  # "TiÕng": a capital inside a lower-case word
    if not any(ch in _VIET for ch in word):
        return True  # plain Latin letters: a name, an English word, an acronym
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(ch in _TONES for ch in decomposed) > 1:
        return False
    toneless = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    clusters = _VOWELS.findall(toneless.removeprefix("qu").removeprefix("gi") or toneless)
    return len(clusters) <= 1 and all(c in _CLUSTERS for c in clusters)


@lru_cache(maxsize=65536)
def is_valid_vietnamese(text: str) -> bool:
    """Whether text uses only Vietnamese letters, in plausible syllables."""
    for ch in text:
        if "\u00a0" <= ch <= "\u00ff" and ch not in _VIET and ch not in "\u00a0°²³·×÷«»§©®":
            return False
    return all(_word_ok(w) for w in _WORD.findall(unicodedata.normalize("NFC", text)))


@lru_cache(maxsize=65536)
def is_legacy_encoded(text: str | None) -> bool:
    """True when ``text`` is mojibake that TCVN3 or VNI decoding turns into Vietnamese."""
    if not text or text.isascii() or is_valid_vietnamese(text):
        return False
    return any(
        decoded != text and is_valid_vietnamese(decoded)
        for decoded in (decode_tcvn3(text), decode_vni(text))
    )
