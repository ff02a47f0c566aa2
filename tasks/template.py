"""Write the prefilled XLSX template a unit fills in for one period."""

from __future__ import annotations

from pathlib import Path

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
    for i, (cell, width) in enumerate(zip(ws[1], widths, strict=True), start=1):
        cell.font, cell.fill = _BOLD, _FILL
        ws.column_dimensions[cell.column_letter].width = width
        del i
    ws.freeze_panes = "A2"


def _lists(wb: Workbook) -> dict[str, str]:
    """A hidden sheet of the enumerated values; returns a range formula for each list."""
    ws = wb.create_sheet("Danh mục")
    ws.sheet_state = "hidden"
    columns = {"type": list(TYPES.values()), "status": list(STATUSES.values()),
               "yes_no": ["có", "không"]}
    ranges = {}
    for col, (name, values) in enumerate(columns.items(), start=1):
        letter = chr(ord("A") + col - 1)
        for row, value in enumerate(values, start=1):
            ws.cell(row=row, column=col, value=value)
        ranges[name] = f"='Danh mục'!${letter}$1:${letter}${len(values)}"
    return ranges


def _info(wb: Workbook, unit: Unit, period: Period) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = SHEETS["info"]
    _header(ws, ["Trường / Field", "Giá trị / Value"], [28, 48])
    values = {"unit_code": unit.code, "period": str(period)}
    for name, label in INFO_FIELDS.items():
        ws.append([label, values.get(name, "")])
    ws.cell(row=2, column=2).number_format = "@"
    ws.append([])
    ws.append(["Tên đơn vị (tham khảo)", unit.name])
    ws.append(["Ngày báo cáo: dd/mm/yyyy", ""])


def _figures(wb: Workbook, figures: list[Indicator]) -> None:
    ws = wb.create_sheet(SHEETS["indicators"])
    _header(ws, ["Mã chỉ tiêu", "Tên chỉ tiêu / Indicator", "Giá trị", "Ghi chú"],
            [22, 80, 14, 30])
    for ind in sorted(figures, key=lambda i: i.sort_order):
        label = f"{ind.label_vi} / {ind.label_en}" + (" (bắt buộc)" if ind.required else "")
        ws.append([ind.code, label, None, None])
    dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                        showErrorMessage=True, errorTitle="Giá trị không hợp lệ",
                        error="Nhập số nguyên không âm / a non-negative integer")
    dv.add(f"C2:C{len(figures) + 1}")
    ws.add_data_validation(dv)


def _enterprises(wb: Workbook, ranges: dict[str, str]) -> None:
    ws = wb.create_sheet(SHEETS["enterprises"])
    _header(ws, list(ENTERPRISE_COLUMNS.values()), [18, 40, 26, 16, 16, 14, 40])
    last = ROSTER_ROWS + 1
    for col, name in (("C", "type"), ("D", "yes_no"), ("F", "status")):
        dv = DataValidation(type="list", formula1=ranges[name], allow_blank=True,
                            showErrorMessage=True, error="Chọn trong danh sách / pick one")
        dv.add(f"{col}2:{col}{last}")
        ws.add_data_validation(dv)
    for row in range(2, last + 1):
        ws.cell(row=row, column=1).number_format = "@"
        ws.cell(row=row, column=5).number_format = "dd/mm/yyyy"


def write_template(path: Path, unit: Unit, period: Period, figures: list[Indicator]) -> Path:
    """Write the template for ``unit`` and ``period`` to ``path``."""
    wb = Workbook()
    _info(wb, unit, period)
    _figures(wb, figures)
    _enterprises(wb, _lists(wb))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
