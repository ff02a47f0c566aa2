"""Read an XLSX submission (python-calamine) into the typed submission form."""

from __future__ import annotations

import io
from typing import Any

from python_calamine import CalamineWorkbook

from models.form import (
    ENTERPRISE_COLUMNS,
    FIGURE_COLUMNS,
    INFO_FIELDS,
    REQUIRED_ENTERPRISE_COLUMNS,
    REQUIRED_FIGURE_COLUMNS,
    SHEETS,
    ParsedSubmission,
)
from models.problems import problem
from tasks.normalise import clean_text, match_key
from tasks.rows import enterprise_row, figure_row

Row = list[Any]
_HEADER_SEARCH_ROWS = 10


def read_xlsx(data: bytes, out: ParsedSubmission) -> None:
    """Fill ``out`` from workbook bytes already checked by :mod:`tasks.filesafety`."""
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = _find_sheets(list(wb.sheet_names), out)
        if sheets is None:
            return
        grids: dict[str, list[Row]] = {
            part: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for part, name in sheets.items()
        }
    except Exception as exc:  # calamine raises its own error types for corrupt parts
        out.problems.append(
            problem(
                "file_unreadable",
                value=f"{type(exc).__name__}: {exc}",
                expected="an .xlsx workbook",
            )
        )
        return
    _read_info(grids["info"], sheets["info"], out)
    _read_figures(grids["indicators"], sheets["indicators"], out)
    _read_enterprises(grids["enterprises"], sheets["enterprises"], out)


def _find_sheets(names: list[str], out: ParsedSubmission) -> dict[str, str] | None:
    """Map each part to its one sheet; report missing and ambiguous parts."""
    found: dict[str, list[str]] = {part: [] for part in SHEETS}
    for name in names:
        part = match_key(name, SHEETS)
        if part:
            found[part].append(name)
    ok = True
    for part, label in SHEETS.items():
        if not found[part]:
            ok = False
            out.problems.append(
                problem(
                    "sheet_missing",
                    sheet=part,
                    value=", ".join(names),
                    expected=f"a sheet named '{part}' or '{label}'",
                )
            )
        elif len(found[part]) > 1:
            ok = False
            out.problems.append(
                problem(
                    "sheet_ambiguous",
                    sheet=part,
                    value=", ".join(found[part]),
                    expected=f"one sheet for '{part}'",
                )
            )
    return {part: names[0] for part, names in found.items()} if ok else None


def _blank(row: Row) -> bool:
    return all(clean_text(c) == "" for c in row)


def _read_info(grid: list[Row], sheet: str, out: ParsedSubmission) -> None:
    for i, row in enumerate(grid, start=1):
        if len(row) < 1 or _blank(row):
            continue
        name = match_key(row[0], INFO_FIELDS)
        if name and name not in out.info:
            value = row[1] if len(row) > 1 else None
            out.info[name] = clean_text(value) or None
            out.info_rows[name] = i


def _header(
    grid: list[Row],
    columns: dict[str, str],
    required: tuple[str, ...],
    sheet: str,
    out: ParsedSubmission,
) -> tuple[int, dict[str, int]] | None:
    """Find the header row (first of the top rows naming a column) and its column indexes."""
    for i, row in enumerate(grid[:_HEADER_SEARCH_ROWS]):
        index: dict[str, int] = {}
        for j, cell in enumerate(row):
            name = match_key(cell, columns)
            if name and name not in index:
                index[name] = j
        if index:
            missing = [c for c in required if c not in index]
            for col in missing:
                out.problems.append(
                    problem(
                        "column_missing",
                        sheet=sheet,
                        row=i + 1,
                        field=col,
                        value=", ".join(clean_text(c) for c in row if clean_text(c)),
                        expected=f"a column '{col}' or '{columns[col]}'",
                    )
                )
            return (i, index) if not missing else None
    out.problems.append(
        problem(
            "column_missing",
            sheet=sheet,
            row=1,
            field=", ".join(required),
            expected="a header row naming " + ", ".join(f"'{c}'" for c in required),
        )
    )
    return None


def _cells(row: Row, index: dict[str, int]) -> dict[str, Any]:
    return {name: (row[j] if j < len(row) else None) for name, j in index.items()}


def _read_figures(grid: list[Row], sheet: str, out: ParsedSubmission) -> None:
    found = _header(grid, FIGURE_COLUMNS, REQUIRED_FIGURE_COLUMNS, sheet, out)
    if found is None:
        return
    start, index = found
    for i in range(start + 1, len(grid)):
        if not _blank(grid[i]):
            out.figures.append(figure_row(_cells(grid[i], index), row=i + 1))


def _read_enterprises(grid: list[Row], sheet: str, out: ParsedSubmission) -> None:
    found = _header(grid, ENTERPRISE_COLUMNS, REQUIRED_ENTERPRISE_COLUMNS, sheet, out)
    if found is None:
        return
    start, index = found
    for i in range(start + 1, len(grid)):
        if not _blank(grid[i]):
            out.enterprises.append(enterprise_row(_cells(grid[i], index), row=i + 1))
