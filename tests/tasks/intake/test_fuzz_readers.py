"""Property tests of the readers: whatever a file holds, nothing escapes them but problems,
each with a known code, and nothing a problem shows carries a character that the database,
a JSON encoder or a page would refuse."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.form import ParsedSubmission
from models.problems import MESSAGES
from models.text import INVALID_CHARS
from tasks.intake.limits import Limits
from tasks.intake.parse import parse_file
from tasks.intake.readers import Readers
from tests.support.hostile import communes, workbook
from tests.support.inbox import valid_doc

UNIT = communes()[0]
LIMITS = Limits()
READERS = Readers(LIMITS, workers=2)  # the pool, as the pipeline reads: started once
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sound(sub: ParsedSubmission) -> None:
    for p in sub.problems:
        assert p.code in MESSAGES and p.severity in ("error", "warning")
        for text in (p.value, p.field, p.sheet, p.expected):
            assert text is None or not INVALID_CHARS.search(text)
    json.dumps([p.to_dict() for p in sub.problems], ensure_ascii=False).encode("utf-8")
    if sub.readable:  # what goes on to validation is text any encoder takes
        for f in sub.figures:
            assert f.value is None or 0 <= f.value <= LIMITS.max_figure
            (f.code + f.raw).encode("utf-8")
        for e in sub.enterprises:
            (e.name + e.tax_code + (e.main_products or "")).encode("utf-8")


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),  # any code point, surrogates and NUL included
    st.sampled_from(["1.234", "1,234", "٣", "１２", "9" * 60, "Quý III/2025", "</title>"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ["unit_code", "period", "reported_by", "Mã đơn vị", "indicators", "enterprises"]
CODES = ["ENT_ACTIVE_TOTAL", "POPULATION", "SITES_5G", "DX_CLASSES", "X"]
ROSTER = ["tax_code", "name", "type", "status", "dx_capable", "established_on", "Trạng thái"]


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """A document of the submission's shape with arbitrary values (or anything at all)."""
    if draw(st.booleans()):
        return draw(values)
    doc: dict[str, Any] = valid_doc(UNIT)
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
        doc[key] = draw(values)
    if isinstance(doc.get("indicators"), dict):
        for code in draw(st.lists(st.sampled_from(CODES), max_size=3)):
            doc["indicators"][code] = draw(values)
    if isinstance(doc.get("enterprises"), list) and doc["enterprises"]:
        ent = doc["enterprises"][0]
        if isinstance(ent, dict):
            for field in draw(st.lists(st.sampled_from(ROSTER), max_size=3)):
                ent[field] = draw(values)
    return doc


@FUZZ
@given(documents(), st.booleans())
def test_any_json_document_gives_problems_never_an_exception(doc: Any, ascii_: bool) -> None:
    data = json.dumps(doc, ensure_ascii=ascii_, allow_nan=True).encode("utf-8", "surrogatepass")
    _sound(parse_file("r.json", data, LIMITS))


SAMPLE_JSON = json.dumps(valid_doc(UNIT), ensure_ascii=False).encode()


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes replaced, inserted or deleted."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(0, len(out) - 1)))
        kind = draw(st.sampled_from(["set", "insert", "delete"]))
        byte = draw(st.integers(0, 255))
        if kind == "set" and out:
            out[at] = byte
        elif kind == "insert":
            out.insert(at, byte)
        elif out:
            del out[at]
    return bytes(out)


@FUZZ
@given(mutated(SAMPLE_JSON))
def test_mutated_json_bytes_give_problems_never_an_exception(data: bytes) -> None:
    _sound(parse_file("r.json", data, LIMITS))


SAMPLE_XLSX = workbook(UNIT)
with zipfile.ZipFile(io.BytesIO(SAMPLE_XLSX)) as _zf:
    MEMBERS = {i.filename: _zf.read(i) for i in _zf.infolist()}
XML = sorted(m for m in MEMBERS if m.endswith(".xml"))


@st.composite
def mutated_workbooks(draw: st.DrawFn) -> bytes:
    """The sample workbook with one XML part's bytes mutated (a well-formed zip, so the
    mutation reaches the XLSX reader rather than stopping at the zip)."""
    member = draw(st.sampled_from(XML))
    body = draw(mutated(MEMBERS[member]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in MEMBERS.items():
            zf.writestr(name, body if name == member else data)
    return out.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutated_workbooks(), min_size=1, max_size=4))
def test_mutated_workbooks_give_problems_never_an_exception(books: list[bytes]) -> None:
    # read as the pipeline reads them: in the bounded worker processes (a native crash of
    # the reader costs its file: file_crashes_reader)
    for sub in READERS.many([(f"r{i}.xlsx", b) for i, b in enumerate(books)]):
        _sound(sub)


@FUZZ
@given(mutated(SAMPLE_XLSX))
def test_mutated_workbook_bytes_give_problems_never_an_exception(data: bytes) -> None:
    (sub,) = READERS.many([("r.xlsx", data)])
    _sound(sub)
