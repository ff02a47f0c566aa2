"""The fast bound on a worksheet's extent (``surely_within``) is never below the exact walk
(``SheetExtent``): whatever the XML, when the bound says a sheet is within the limits, the
walk agrees. Hostile shapes drawn: rows and cells with and without references, references
out of order, repeated, malformed, far away, attributes twice, dimensions, junk between
tags, namespaced tags."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tasks.intake.limits import Limits
from tasks.intake.sheets import SheetExtent, column_letters, surely_within

LIMITS = [Limits(max_roster_rows=0, max_sheet_columns=6), Limits()]  # 1,000 rows; 6 columns


def _ref() -> st.SearchStrategy[str]:
    letters = st.integers(1, 70).map(column_letters) | st.text("ABCXYZabz", max_size=5)
    digits = st.integers(0, 1100).map(str) | st.text("0123456789", min_size=0, max_size=16)
    return st.builds(
        lambda a, b, pad: pad + a + b + pad, letters, digits, st.sampled_from(["", " "])
    )


def _attrs() -> st.SearchStrategy[str]:
    one = st.builds(
        lambda name, quote, value: f" {name}={quote}{value}{quote}",
        st.sampled_from(["r", "r", "r", "ref", "t", "spans", "xr:r", "sqref"]),
        st.sampled_from(['"', "'"]),
        _ref() | st.builds(lambda a, b: f"{a}:{b}", _ref(), _ref()),
    )
    return st.lists(one, max_size=3).map("".join)


def _tag() -> st.SearchStrategy[str]:
    name = st.sampled_from(["row", "row", "c", "c", "c", "c", "x:c", "dimension", "col", "cfRule"])
    closing = st.sampled_from([">", "/>", "></c>", "</row>"])
    junk = st.sampled_from(["", "<v>1</v>", "text", "<", ">", "\x00", '"'])
    return st.builds(lambda n, a, c, j: f"<{n}{a}{c}{j}", name, _attrs(), closing, junk)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_tag(), max_size=60).map("".join))
@example("<row/>" * 1001)  # rows without references count on
@example('<row r="990"/>' + "<row></row>" * 11)  # ... from the last one given
@example("<row>" + "<c/>" * 7 + "</row>")  # cells without references count on
@example('<row><c r="E1"/><c/><c/></row>')  # ... from the last one given
@example('<row><c r="B1"/><dimension ref="A1"/><c/><c/><c/><c/><c/></row>')
@example('<c r="A1001"/>')  # a cell's row
@example('<dimension ref="A1:G1"/>')  # a dimension's far corner
def test_the_bound_never_lets_through_what_the_walk_refuses(xml: str) -> None:
    data = xml.encode()
    for limits in LIMITS:
        exact = SheetExtent()
        exact.feed(data)
        if surely_within(data, limits):
            assert not exact.beyond(limits), (exact.rows, exact.cols)


def test_a_plain_sheet_is_within_and_a_far_cell_is_not() -> None:
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in "ABCDEFG") + "</row>"
        for r in range(1, 30)
    )
    plain = f'<worksheet><dimension ref="A1:G29"/><sheetData>{rows}</sheetData></worksheet>'
    assert surely_within(plain.encode(), Limits())
    far = plain.replace("</sheetData>", '<row r="9"><c r="BM9"/></row></sheetData>')
    assert not surely_within(far.encode(), Limits())  # 65 columns: the walk decides
