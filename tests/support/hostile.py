"""A hostile corpus: one file per way a unit (or its file system) can try to stop a run.

Each case is a file under ``<unit>/<period>/`` of its own unit, so the good files beside
it must still be decided and published; ``expected`` is the one problem code its
feedback must give (``None`` where the file is skipped at intake and retried later).
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models.catalog import load_units
from models.periods import Period
from tests.support.inbox import changed, tax_code, valid_doc, write

Q3 = Period(2025, 3)
RECEIVED = datetime(2025, 10, 5, 9, tzinfo=UTC)


def communes() -> list[str]:
    from catalog import UNITS_CSV

    return [u.code for u in load_units(UNITS_CSV).expected(Q3)]


def _json(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


def _figure_text(unit: str, code: str, literal: str) -> bytes:
    """A JSON document whose figure ``code`` is the raw JSON ``literal``."""
    text = _json(valid_doc(unit)).decode()
    text = re.sub(rf'"{code}": \d+', f'"{code}": {literal}', text)
    return text.encode()


def workbook(unit: str, doc: dict[str, Any] | None = None) -> bytes:
    from catalog import UNITS_CSV
    from models.catalog import load_indicators, reported_figures
    from tasks.intake.template import build_workbook

    u = load_units(UNITS_CSV).find(unit)
    assert u is not None
    figures = list(reported_figures(load_indicators()).values())
    return build_workbook(u, Q3, figures, doc or valid_doc(unit))


def patch_member(data: bytes, member: str, edit: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one zip member's bytes edited."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == member:
                body = edit(body)
            dst.writestr(info, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sheet_member(data: bytes, part_label: str) -> str:
    """The zip member of the sheet named ``part_label`` (e.g. ``Doanh nghiệp``)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet[^>]*name="{part_label}"[^>]*r:id="([^"]+)"', book)
    assert rid, part_label
    target = re.search(rf'Id="{rid[1]}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{rid[1]}"', rels
    )
    assert target
    return "xl/" + target[1].lstrip("/").removeprefix("xl/")


def far_cell(unit: str, ref: str) -> bytes:
    """A workbook whose roster sheet has one more cell, at ``ref`` (e.g. ``XFD1048576``)."""
    data = workbook(unit)
    member = sheet_member(data, "Doanh nghiệp")
    row = re.match(r"[A-Z]+(\d+)", ref)
    assert row

    def edit(xml: bytes) -> bytes:
        cell = f'<row r="{row[1]}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
        xml = re.sub(rb"<dimension[^>]*/>", b"", xml)
        return xml.replace(b"</sheetData>", cell.encode() + b"</sheetData>")

    return patch_member(data, member, edit)


def shared_string_roster(unit: str, rows: int = 20_000, text_chars: int = 1_000) -> bytes:
    """A workbook of a few hundred KB whose roster's cells (``rows`` × 7) all point at one
    shared string of ``text_chars`` characters: read, it is hundreds of MB of text."""
    data = workbook(unit)
    member = sheet_member(data, "Doanh nghiệp")
    cells = "".join(f'<c r="{c}{{r}}" t="s"><v>{{s}}</v></c>' for c in "ABCDEFG")

    def edit_sheet(xml: bytes) -> bytes:
        xml = re.sub(rb"<dimension[^>]*/>", b"", xml)
        extra = "".join(
            f'<row r="{r}">' + cells.format(r=r, s=0) + "</row>" for r in range(300, 300 + rows)
        )
        return xml.replace(b"</sheetData>", extra.encode() + b"</sheetData>")

    long = "Phần mềm " * (text_chars // 9)
    strings = f'<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>{long}</t></si></sst>'
    rel = (
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdS" />'
    )
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}" />'
    data = patch_member(data, member, edit_sheet)
    data = patch_member(
        data,
        "xl/_rels/workbook.xml.rels",
        lambda x: x.replace(b"</Relationships>", rel.encode() + b"</Relationships>"),
    )
    data = patch_member(
        data,
        "[Content_Types].xml",
        lambda x: x.replace(b"</Types>", override.encode() + b"</Types>"),
    )
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def formula_without_value(unit: str) -> bytes:
    """A workbook whose POPULATION cell is a formula with no cached value."""
    data = workbook(unit)
    member = sheet_member(data, "Chỉ tiêu")

    def edit(xml: bytes) -> bytes:
        # the third row holds POPULATION (the template's order); its value is in column C
        return re.sub(rb'<c r="C3"[^>]*>.*?</c>', b'<c r="C3"><f>SUM(1,2)</f></c>', xml)

    return patch_member(data, member, edit)


@dataclass(frozen=True)
class Case:
    """One hostile file: where it goes, what it holds, the problem its feedback gives."""

    name: str
    unit: str
    filename: str
    content: bytes
    expected: str | None


def _doc(unit: str, **changes: Any) -> bytes:
    return _json(changed(valid_doc(unit), **changes))


def _figures(unit: str, **values: Any) -> dict[str, Any]:
    return {**valid_doc(unit)["indicators"], **values}


def _roster(unit: str, **fields: Any) -> list[dict[str, Any]]:
    ents = valid_doc(unit)["enterprises"]
    return [{**ents[0], **fields}, ents[1]]


def cases(units: list[str]) -> list[Case]:
    """The hostile files, each for its own unit taken from ``units`` in order."""
    it = iter(units)
    out: list[Case] = []

    def add(name: str, filename: str, make: Callable[[str], bytes], expected: str | None) -> None:
        unit = next(it)
        out.append(Case(name, unit, filename, make(unit), expected))

    add(
        "json_5000_digits",
        "r.json",
        lambda u: _figure_text(u, "POPULATION", "9" * 5000),
        "figure_too_large",
    )
    add(
        "json_text_5000_digits",
        "r.json",
        lambda u: _doc(u, indicators=_figures(u, POPULATION="9" * 5000)),
        "figure_too_large",
    )
    add(
        "json_2_pow_63",
        "r.json",
        lambda u: _figure_text(u, "POPULATION", str(2**63)),
        "figure_too_large",
    )
    add(
        "json_1e308", "r.json", lambda u: _figure_text(u, "POPULATION", "1e308"), "figure_too_large"
    )
    add(
        "json_int64_max",
        "r.json",
        lambda u: _figure_text(u, "POPULATION", str(2**63 - 1)),
        "figure_too_large",
    )
    add(
        "xlsx_text_5000_digits",
        "r.xlsx",
        lambda u: workbook(u, changed(valid_doc(u), indicators=_figures(u, POPULATION="9" * 5000))),
        "figure_too_large",
    )
    add(
        "xlsx_1e20",
        "r.xlsx",
        lambda u: workbook(u, changed(valid_doc(u), indicators=_figures(u, POPULATION=1e20))),
        "figure_too_large",
    )
    add("xlsx_far_cell", "r.xlsx", lambda u: far_cell(u, "XFD1048576"), "sheet_too_large")
    add("xlsx_zz200000", "r.xlsx", lambda u: far_cell(u, "ZZ200000"), "sheet_too_large")
    add(
        "json_surrogate",
        "r.json",
        lambda u: _doc(u).replace("Bà Đen".encode(), b"B\\udc80"),
        "text_invalid_character",
    )
    add(
        "json_nul",
        "r.json",
        lambda u: _doc(u).replace("Bà Đen".encode(), b"B\\u0000"),
        "text_invalid_character",
    )
    add(
        "json_many_codes",
        "r.json",
        lambda u: _doc(u, indicators={**_figures(u), **{f"X{i}": 1 for i in range(200_000)}}),
        "too_many_figures",
    )
    add("json_future_period", "r.json", lambda u: _doc(u, period="2027Q1"), "period_future")
    add("xlsx_formula_no_value", "r.xlsx", formula_without_value, "cell_formula_no_value")
    return out


def write_cases(inbox: Path, found: list[Case]) -> None:
    for c in found:
        period = "2027Q1" if c.name == "json_future_period" else str(Q3)
        write(inbox, f"{c.unit}/{period}/{c.filename}", c.content, RECEIVED)


def write_good(inbox: Path, units: list[str]) -> None:
    for u in units:
        write(inbox, f"{u}/{Q3}/report.json", valid_doc(u), RECEIVED)


def odd_entries(inbox: Path, units: list[str]) -> dict[str, str]:
    """File-system oddities (no file content to decide): a symlink loop, a long period
    folder, a hard link to a file outside; name -> the unit it sits under."""
    it = iter(units)
    out = {}
    u = next(it)
    loop = inbox / u / str(Q3)
    loop.mkdir(parents=True, exist_ok=True)
    os.symlink("b.json", loop / "a.json")
    os.symlink("a.json", loop / "b.json")
    out["symlink_loop"] = u
    u = next(it)
    write(inbox, f"{u}/2025Q3 (ban sua lan 2)/r.json", valid_doc(u), RECEIVED)
    out["long_period_folder"] = u
    u = next(it)
    outside = inbox.parent / "outside.json"
    outside.write_text(json.dumps(valid_doc(u)), "utf-8")
    (inbox / u / str(Q3)).mkdir(parents=True, exist_ok=True)
    os.link(outside, inbox / u / str(Q3) / "r.json")
    out["hard_link_outside"] = u
    u = next(it)
    (inbox / u / str(Q3)).mkdir(parents=True, exist_ok=True)
    name = os.fsdecode(b"b\xe1o c\xe1o.json")  # a name in Latin-1 bytes: not UTF-8
    write(inbox, f"{u}/{Q3}/{name}", valid_doc(u), RECEIVED)
    out["undecodable_name"] = u
    return out


__all__ = ["Case", "cases", "communes", "odd_entries", "tax_code", "write_cases", "write_good"]
