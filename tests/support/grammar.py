"""A grammar of hostile source entries for the whole-run property (issue 25): names (bytes,
depth, length, Unicode classes), file times, kinds of entry, sizes and contents (JSON and
XLSX structures, compression, references), and HTTP replies (status, codings, bodies)."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.support import hostile
from tests.support.inbox import valid_doc

QUARTER = "2025Q3"

# text a person, a tool or an attacker may put in a name or a field
_CLASSES = st.sampled_from(
    [
        "0123456789",  # ASCII digits
        "０１２３４５６７８９",  # fullwidth digits
        "٠١٢٣٤٥٦٧٨٩",  # Arabic-Indic digits
        "QqUuÝýIV/- ",  # period words
        "ăâđêôơưÀÁẠẢÃ",  # Vietnamese
        "\u0300\u0301\u0303\u0309\u0323",  # combining tone marks (NFD)
        "\u202e\u200b\ufeff\u00a0",  # bidi override, zero width, BOM, no-break space
        "<>&\"'=+-@%{}$",  # markup, formulas, templates
        "\x01\x1b\x7f\x85",  # controls
        "\udc80\udcff",  # undecodable bytes (surrogate escapes)
        "😀𝟘",  # astral
    ]
)


@st.composite
def texts(draw: st.DrawFn, most: int = 40) -> str:
    alphabet = draw(_CLASSES)
    return draw(st.text(alphabet=st.sampled_from(alphabet), max_size=most))


def _segment_ok(segment: bytes) -> bool:
    return (
        bool(segment)
        and b"/" not in segment
        and b"\0" not in segment
        and segment
        not in (
            b".",
            b"..",
        )
    )


segments = st.one_of(
    st.binary(min_size=1, max_size=255).filter(_segment_ok),
    texts(60).map(lambda t: t.encode("utf-8", "surrogateescape")).filter(_segment_ok),
    st.sampled_from(
        [b"2025Q3", b"Q3-2025", b"9999Q4", b"0000Q1", b"2025Q9", b".hidden", b"~$lock"]
    ),
    st.integers(1, 255).map(lambda n: b"x" * n),
)


@st.composite
def paths(draw: st.DrawFn, unit_segments: st.SearchStrategy[bytes]) -> list[bytes]:
    """A path under the inbox: usually ``<unit>/<quarter>/<file>``, sometimes not."""
    shape = draw(st.sampled_from(["layout", "layout", "deep", "shallow"]))
    name = draw(segments) + draw(st.sampled_from([b".json", b".xlsx", b"", b".JSON", b".csv"]))
    name = name[-255:] if len(name) > 255 else name
    unit = draw(unit_segments)
    quarter = draw(st.one_of(st.just(QUARTER.encode()), segments))
    if shape == "layout":
        return [unit, quarter, name]
    if shape == "shallow":
        return [unit, name]
    return [unit, quarter, *draw(st.lists(segments, min_size=1, max_size=12)), name]


# seconds since 1970: before it, around now, far ahead, past what datetime holds
times = st.one_of(
    st.floats(-1e11, 1e13, allow_nan=False),
    st.sampled_from([0.0, 1_759_651_200.0, 4_102_444_800.0, 253_402_300_800.0, 1e12]),
)


def _json_values() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        texts(80),
    )
    return st.recursive(
        leaves,
        lambda kids: st.one_of(
            st.lists(kids, max_size=5), st.dictionaries(texts(12), kids, max_size=5)
        ),
        max_leaves=30,
    )


@st.composite
def json_documents(draw: st.DrawFn, unit: str) -> bytes:
    """A unit's document with parts replaced by drawn values, or a document of odd text."""
    doc = valid_doc(unit)
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.sampled_from(["top", "indicator", "enterprise", "field"]))
        value = draw(_json_values())
        if where == "top":
            doc[draw(st.sampled_from([*doc, "x"]))] = value
        elif where == "indicator" and isinstance(doc.get("indicators"), dict):
            doc["indicators"][draw(st.sampled_from([*doc["indicators"], "X"]))] = value
        elif where == "enterprise" and isinstance(doc.get("enterprises"), list):
            doc["enterprises"].append(value)
        elif where == "field" and isinstance(doc.get("enterprises"), list):
            first = doc["enterprises"][0] if doc["enterprises"] else None
            if isinstance(first, dict) and first:
                first[draw(st.sampled_from(list(first)))] = value
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    trick = draw(
        st.sampled_from(["none", "none", "nan", "deep", "quotes", "bom", "dup", "cut", "surrogate"])
    )
    if trick == "nan":
        text = text.replace('"POPULATION": 32000', '"POPULATION": NaN')
    elif trick == "deep":
        depth = draw(st.integers(50, 5000))
        text = text[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}"
    elif trick == "quotes":
        text = text[:-1] + ', "q": "' + '\\"' * draw(st.integers(1, 100_000))
    elif trick == "bom":
        text = "\ufeff" + text
    elif trick == "dup":
        text = text[:-1] + ', "unit_code": "0"}'
    elif trick == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif trick == "surrogate":
        text = text.replace('"reported_by": "', '"reported_by": "\\ud800')
    return text.encode("utf-8", "surrogatepass")


@st.composite
def workbooks(draw: st.DrawFn, unit: str) -> bytes:
    """The template's workbook, or one with a part replaced or a reference stretched."""
    kind = draw(st.sampled_from(["valid", "far", "shared", "member", "entity", "zipjunk"]))
    if kind == "valid":
        return hostile.workbook(unit)
    if kind == "far":
        col = draw(st.sampled_from(["A", "Z", "BL", "ZZ", "XFD"]))
        return hostile.far_cell(unit, f"{col}{draw(st.integers(1, 1_048_576))}")
    if kind == "shared":
        return hostile.shared_string_roster(
            unit, draw(st.integers(1, 20_000)), draw(st.integers(1, 3_000))
        )
    data = hostile.workbook(unit)
    if kind == "member":
        member = hostile.sheet_member(
            data, draw(st.sampled_from(["Thông tin", "Chỉ tiêu", "Doanh nghiệp"]))
        )
        body = draw(st.binary(max_size=2000))
        return hostile.patch_member(data, member, lambda _: body)
    if kind == "entity":
        member = hostile.sheet_member(data, "Chỉ tiêu")
        bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        return hostile.patch_member(data, member, lambda x: bomb + x.split(b"?>", 1)[-1])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for _ in range(draw(st.integers(0, 4))):
            zf.writestr(
                draw(st.sampled_from(["xl/workbook.xml", "a", "../x", "xl/sharedStrings.xml"])),
                draw(st.binary(max_size=500)),
            )
    return out.getvalue()


@st.composite
def contents(draw: st.DrawFn, unit: str) -> bytes:
    """What a file or a reply holds."""
    kind = draw(st.sampled_from(["json", "json", "xlsx", "bytes", "gzip", "empty"]))
    if kind == "json":
        return draw(json_documents(unit))
    if kind == "xlsx":
        return draw(workbooks(unit))
    if kind == "gzip":
        return gzip.compress(draw(json_documents(unit)))
    if kind == "empty":
        return b""
    return draw(st.binary(max_size=4000))


@dataclass(frozen=True)
class Entry:
    """One hostile folder entry: its path, what it is, its time and its bytes."""

    path: list[bytes]
    kind: str  # file, symlink_out, symlink_loop, dir, fifo, hardlink
    mtime: float
    data: bytes


@dataclass(frozen=True)
class Reply:
    """One hostile HTTP reply: the raw response (status line, headers, body)."""

    raw: bytes


@st.composite
def replies(draw: st.DrawFn, unit: str) -> Reply:
    status = draw(st.sampled_from([200, 200, 200, 204, 301, 302, 404, 410, 418, 429, 500, 503]))
    body = draw(contents(unit))
    coding = draw(st.sampled_from(["", "", "gzip", "deflate", "gzip, gzip", "br", "identity", "x"]))
    if coding == "gzip" and draw(st.booleans()):
        body = gzip.compress(body)
    elif coding == "gzip, gzip" and draw(st.booleans()):
        body = gzip.compress(gzip.compress(body))
    elif coding == "deflate" and draw(st.booleans()):
        body = zlib.compress(body)
    headers = [f"HTTP/1.1 {status} X", "Content-Type: application/json"]
    if coding:
        headers.append(f"Content-Encoding: {coding}")
    if status in (301, 302):
        headers.append(
            f"Location: {draw(st.sampled_from(['/bc/x', 'http://10.255.255.1/', '//evil/']))}"
        )
    length = draw(st.sampled_from(["exact", "exact", "none", "short"]))
    if length == "exact":
        headers.append(f"Content-Length: {len(body)}")
    elif length == "short":
        headers.append(f"Content-Length: {len(body) + 10}")
    extra = draw(st.lists(texts(30), max_size=2))
    head = "\r\n".join(headers + [f"X-{i}: {t}" for i, t in enumerate(extra)])
    return Reply(head.encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body)
