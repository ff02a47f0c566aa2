"""The XLSX template: prefilled, with drop-down lists, and clean to parse once filled in."""

import io
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from catalog import UNITS_CSV
from models.catalog import load_indicators, load_units, reported_figures
from models.periods import Period
from tasks.intake.parse import parse_file
from tasks.intake.template import build_workbook, write_template


def _template(tmp_path: Path) -> Path:
    unit = load_units(UNITS_CSV).find("25459")
    assert unit is not None
    figures = list(reported_figures(load_indicators()).values())
    return write_template(tmp_path / "t.xlsx", unit, Period(2025, 3), figures)


def test_template_is_prefilled_with_lists(tmp_path: Path) -> None:
    wb = load_workbook(_template(tmp_path))
    assert wb.sheetnames == ["Thông tin", "Chỉ tiêu", "Doanh nghiệp", "Danh mục"]
    info = wb["Thông tin"]
    assert [info["A2"].value, info["B2"].value, info["B3"].value] == [
        "Mã đơn vị",
        "25459",
        "2025Q3",
    ]
    codes = [wb["Chỉ tiêu"].cell(row=r, column=1).value for r in range(2, 13)]
    assert codes[:2] == ["ENT_ACTIVE_TOTAL", "POPULATION"] and len(set(codes)) == 11
    validations = wb["Doanh nghiệp"].data_validations.dataValidation
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in validations}
    assert set(lists) == {"C", "D", "F"}
    hidden = wb["Danh mục"]
    assert hidden.sheet_state == "hidden"
    assert [c.value for c in hidden["A"]] == [
        "DN CNTT-VT",
        "Khởi nghiệp số",
        "Khởi nghiệp ứng dụng CNS",
        "Chuyển đổi sang CNS",
    ]
    assert [c.value for c in hidden["B"]] == ["hoạt động", "tạm ngừng", "giải thể", None]


def test_empty_template_parses_without_structural_problems(tmp_path: Path) -> None:
    path = _template(tmp_path)
    sub = parse_file(path.name, path.read_bytes())
    assert sub.problems == [] and sub.enterprises == []
    assert sub.info["unit_code"] == "25459" and sub.info["period"] == "2025Q3"


def test_round_trip_write_fill_parse(tmp_path: Path) -> None:
    path = _template(tmp_path)
    wb = load_workbook(path)
    ws = wb["Chỉ tiêu"]
    for row in range(2, 13):
        ws.cell(
            row=row,
            column=3,
            value={"ENT_ACTIVE_TOTAL": 1500, "POPULATION": "32.000"}.get(
                ws.cell(row=row, column=1).value
            ),
        )
    ents = wb["Doanh nghiệp"]
    for col, value in enumerate(
        [
            "3900244389",
            "Công ty TNHH Phần mềm Bà Đen",
            "DN CNTT-VT",
            "có",
            date(2021, 5, 4),
            "hoạt động",
            "Phần mềm",
        ],
        start=1,
    ):
        ents.cell(row=2, column=col, value=value)
    wb["Thông tin"]["B4"] = "Trần Văn B"
    buf = io.BytesIO()
    wb.save(buf)
    sub = parse_file("filled.xlsx", buf.getvalue())
    assert sub.problems == []
    assert {f.code: f.value for f in sub.figures if f.value is not None} == {
        "ENT_ACTIVE_TOTAL": 1500,
        "POPULATION": 32000,
    }
    (e,) = sub.enterprises
    assert (e.tax_code, e.type, e.dx_capable, e.established_on, e.status) == (
        "3900244389",
        "ICT",
        True,
        date(2021, 5, 4),
        "active",
    )
    assert sub.info["reported_by"] == "Trần Văn B"


def test_same_content_same_bytes() -> None:
    unit = load_units(UNITS_CSV).find("703")
    assert unit is not None
    figures = list(reported_figures(load_indicators()).values())
    content = {"indicators": {"POPULATION": 1}, "enterprises": []}
    assert build_workbook(unit, Period(2024, 1), figures, content) == build_workbook(
        unit, Period(2024, 1), figures, content
    )
