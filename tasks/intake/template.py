"""Write the prefilled XLSX template a unit fills in for one period."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from models.catalog import Indicator, Unit
from models.form import ENTERPRISE_COLUMNS, INFO_FIELDS, SHEETS, STATUSES, TYPES
from models.periods import Period

ROSTER_ROWS = 200
_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")


def _header(ws: Worksheet, labels: list[str], widths: list[int]) -> None:
    ws.append(labels)
    for cell, width in zip(ws[1], widths, strict=True):
        cell.font, cell.fill = _BOLD, _FILL
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"


def _lists(wb: Workbook) -> dict[str, str]:
    """A hidden sheet of the enumerated values; returns a range formula for each list."""
    ws = wb.create_sheet("Danh mục")
    ws.sheet_state = "hidden"
    columns = {
        "type": list(TYPES.values()),
        "status": list(STATUSES.values()),
        "yes_no": ["có", "không"],
    }
    ranges = {}
    for col, (name, values) in enumerate(columns.items(), start=1):
        letter = chr(ord("A") + col - 1)
        for row, value in enumerate(values, start=1):
            ws.cell(row=row, column=col, value=value)
        ranges[name] = f"='Danh mục'!${letter}$1:${letter}${len(values)}"
    return ranges


def _info(wb: Workbook, unit: Unit, period: Period, content: dict[str, Any]) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = SHEETS["info"]
    _header(ws, ["Trường / Field", "Giá trị / Value"], [28, 48])
    values = {"unit_code": unit.code, "period": str(period)}
    values.update({k: v for k, v in content.items() if k in INFO_FIELDS})
    for name, label in INFO_FIELDS.items():
        ws.append([label, values.get(name, "")])
    ws.cell(row=2, column=2).number_format = "@"
    ws.append([])
    ws.append(["Tên đơn vị (tham khảo)", unit.name])
    ws.append(["Ngày báo cáo: dd/mm/yyyy", ""])


def _figures(wb: Workbook, figures: list[Indicator], values: dict[str, Any]) -> None:
    ws = wb.create_sheet(SHEETS["indicators"])
    _header(ws, ["Mã chỉ tiêu", "Tên chỉ tiêu / Indicator", "Giá trị", "Ghi chú"], [22, 80, 14, 30])
    for ind in sorted(figures, key=lambda i: i.sort_order):
        label = f"{ind.label_vi} / {ind.label_en}" + (" (bắt buộc)" if ind.required else "")
        ws.append([ind.code, label, values.get(ind.code), None])
    known = {i.code for i in figures}
    for code, value in values.items():
        if code not in known:
            ws.append([code, None, value, None])
    dv = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        showErrorMessage=True,
        errorTitle="Giá trị không hợp lệ",
        error="Nhập số nguyên không âm / a non-negative integer",
    )
    dv.add(f"C2:C{len(figures) + 1}")
    ws.add_data_validation(dv)


def _enterprises(wb: Workbook, ranges: dict[str, str], rows: list[dict[str, Any]]) -> None:
    ws = wb.create_sheet(SHEETS["enterprises"])
    _header(ws, list(ENTERPRISE_COLUMNS.values()), [18, 40, 26, 16, 16, 14, 40])
    for ent in rows:
        ws.append([ent.get(name) for name in ENTERPRISE_COLUMNS])
    last = ROSTER_ROWS + 1
    for col, name in (("C", "type"), ("D", "yes_no"), ("F", "status")):
        dv = DataValidation(
            type="list",
            formula1=ranges[name],
            allow_blank=True,
            showErrorMessage=True,
            error="Chọn trong danh sách / pick one",
        )
        dv.add(f"{col}2:{col}{last}")
        ws.add_data_validation(dv)
    for row in range(2, last + 1):
        ws.cell(row=row, column=1).number_format = "@"
        ws.cell(row=row, column=5).number_format = "dd/mm/yyyy"


FIXED_TIME = datetime(2020, 1, 1)


def build_workbook(
    unit: Unit, period: Period, figures: list[Indicator], content: dict[str, Any] | None = None
) -> bytes:
    """The template's bytes, optionally filled with a submission's ``content``.

    ``content`` has the JSON document's shape (info fields, ``indicators``,
    ``enterprises``). Timestamps are fixed so the same content gives the same bytes.
    """
    content = content or {}
    wb = Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    _info(wb, unit, period, content)
    _figures(wb, figures, content.get("indicators", {}))
    _enterprises(wb, _lists(wb), content.get("enterprises", []))
    wb.move_sheet("Danh mục", offset=1)  # the hidden lists go last
    raw = io.BytesIO()
    wb.save(raw)
    return _fixed_zip_times(raw.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            body = src.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2020-01-01T00:00:00Z", body
                )
            dst.writestr(fixed, body)
    return out.getvalue()


def write_template(path: Path, unit: Unit, period: Period, figures: list[Indicator]) -> Path:
    """Write the empty template for ``unit`` and ``period`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_workbook(unit, period, figures))
    return path
