"""Read an XLSX submission (python-calamine) into the typed submission form."""

from __future__ import annotations

import io
from collections.abc import Collection
from typing import Any

from python_calamine import CalamineWorkbook

from models.form import (
    REQUIRED_ENTERPRISE_COLUMNS,
    REQUIRED_FIGURE_COLUMNS,
    SHEETS,
    ParsedSubmission,
)
from models.problems import Code, Problem, Severity, problem
from tasks.intake.bounds import grid_size, over_budget
from tasks.intake.jsondoc import too_many
from tasks.intake.limits import Limits
from tasks.intake.normalise import (
    COLUMN_NAMES,
    FIGURE_NAMES,
    INFO_NAMES,
    SHEET_NAMES,
    Lookup,
    clean_text,
)
from tasks.intake.rows import enterprise_row, figure_row
from tasks.intake.sheets import formulas_without_value

Row = list[Any]
Cells = set[tuple[int, int]]  # (worksheet row from 1, column from 0)
_HEADER_SEARCH_ROWS = 10


def read_xlsx(
    data: bytes,
    out: ParsedSubmission,
    limits: Limits | None = None,
    formula_sheets: Collection[str] | None = None,
) -> None:
    """Fill ``out`` from workbook bytes already checked by :mod:`tasks.intake.filesafety`;
    only ``formula_sheets`` (all when not given) are looked at for formulas without a
    value."""
    limits = limits or Limits()
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
                Code.FILE_UNREADABLE,
                value=f"{type(exc).__name__}: {exc}",
                expected="an .xlsx workbook",
            )
        )
        return
    over = over_budget(sum(grid_size(g) for g in grids.values()), limits.max_parsed_bytes)
    if over is not None:  # cells sharing one long string: bounded before rows are built
        out.problems.append(over)
        return
    looked_at = set(sheets.values())
    if formula_sheets is not None:
        looked_at &= set(formula_sheets)
    unset = formulas_without_value(data, looked_at) if looked_at else {}
    _read_info(grids["info"], sheets["info"], out, unset.get(sheets["info"], set()))
    _read_figures(grids["indicators"], sheets["indicators"], out, unset, limits.max_figures)
    _read_enterprises(
        grids["enterprises"], sheets["enterprises"], out, unset, limits.max_roster_rows
    )


def _find_sheets(names: list[str], out: ParsedSubmission) -> dict[str, str] | None:
    """Map each part to its one sheet; report missing and ambiguous parts."""
    found: dict[str, list[str]] = {part: [] for part in SHEETS}
    for name in names:
        part = SHEET_NAMES.match(name)
        if part:
            found[part].append(name)
    ok = True
    for part, label in SHEETS.items():
        if not found[part]:
            ok = False
            out.problems.append(
                problem(
                    Code.SHEET_MISSING,
                    sheet=part,
                    value=", ".join(names),
                    expected=f"a sheet named '{part}' or '{label}'",
                )
            )
        elif len(found[part]) > 1:
            ok = False
            out.problems.append(
                problem(
                    Code.SHEET_AMBIGUOUS,
                    sheet=part,
                    value=", ".join(found[part]),
                    expected=f"one sheet for '{part}'",
                )
            )
    return {part: names[0] for part, names in found.items()} if ok else None


def _blank(row: Row) -> bool:
    return all(clean_text(c) == "" for c in row)


def _read_info(grid: list[Row], sheet: str, out: ParsedSubmission, unset: Cells) -> None:
    for i, row in enumerate(grid, start=1):
        if len(row) < 1 or _blank(row):
            continue
        name = INFO_NAMES.match(row[0])
        if name and name not in out.info:
            value = row[1] if len(row) > 1 else None
            out.info[name] = clean_text(value) or None
            out.info_rows[name] = i
            if (i, 1) in unset:
                out.problems.append(_unset("info", i, name, name in ("unit_code", "period")))


def _header(
    grid: list[Row],
    columns: Lookup,
    required: tuple[str, ...],
    sheet: str,
    out: ParsedSubmission,
) -> tuple[int, dict[str, int]] | None:
    """Find the header row (first of the top rows naming a column) and its column indexes."""
    for i, row in enumerate(grid[:_HEADER_SEARCH_ROWS]):
        index: dict[str, int] = {}
        for j, cell in enumerate(row):
            name = columns.match(cell)
            if name and name not in index:
                index[name] = j
        if index:
            missing = [c for c in required if c not in index]
            for col in missing:
                out.problems.append(
                    problem(
                        Code.COLUMN_MISSING,
                        sheet=sheet,
                        row=i + 1,
                        field=col,
                        value=", ".join(clean_text(c) for c in row if clean_text(c)),
                        expected=f"a column '{col}' or '{columns.names[col]}'",
                    )
                )
            return (i, index) if not missing else None
    out.problems.append(
        problem(
            Code.COLUMN_MISSING,
            sheet=sheet,
            row=1,
            field=", ".join(required),
            expected="a header row naming " + ", ".join(f"'{c}'" for c in required),
        )
    )
    return None


def _cells(row: Row, index: dict[str, int]) -> dict[str, Any]:
    return {name: (row[j] if j < len(row) else None) for name, j in index.items()}


def _rows(
    grid: list[Row], start: int, sheet: str, code: str, most: int, out: ParsedSubmission
) -> list[int]:
    """The non-blank rows under the header, or none when there are more than ``most``."""
    rows = [i for i in range(start + 1, len(grid)) if not _blank(grid[i])]
    if len(rows) > most:
        out.problems.append(too_many(code, sheet, len(rows), most))
        return []
    return rows


def _read_figures(
    grid: list[Row], sheet: str, out: ParsedSubmission, unset: dict[str, Cells], most: int
) -> None:
    found = _header(grid, FIGURE_NAMES, REQUIRED_FIGURE_COLUMNS, sheet, out)
    if found is None:
        return
    start, index = found
    unset_here = unset.get(sheet, set())
    for i in _rows(grid, start, sheet, Code.TOO_MANY_FIGURES, most, out):
        figure = figure_row(_cells(grid[i], index), row=i + 1)
        out.figures.append(figure)
        for name, j in index.items():
            if (i + 1, j) in unset_here:
                field = figure.code if name == "value" else name
                out.problems.append(_unset(sheet, i + 1, field, name != "note"))


def _read_enterprises(
    grid: list[Row], sheet: str, out: ParsedSubmission, unset: dict[str, Cells], most: int
) -> None:
    found = _header(grid, COLUMN_NAMES, REQUIRED_ENTERPRISE_COLUMNS, sheet, out)
    if found is None:
        return
    start, index = found
    unset_here = unset.get(sheet, set())
    for i in _rows(grid, start, sheet, Code.TOO_MANY_ENTERPRISES, most, out):
        out.enterprises.append(enterprise_row(_cells(grid[i], index), row=i + 1))
        for name, j in index.items():
            if (i + 1, j) in unset_here:
                out.problems.append(_unset(sheet, i + 1, name, name in _NEEDED))


_NEEDED = ("tax_code", "name", "type", "status", "dx_capable", "established_on")


def _unset(sheet: str, row: int, field: str, error: bool) -> Problem:
    """A formula cell with no computed value: an error where the field counts, else a
    warning (the value is read as blank either way)."""
    return problem(
        Code.CELL_FORMULA_NO_VALUE,
        sheet=sheet,
        row=row,
        field=field,
        expected="a value (or a formula Excel has computed and saved)",
        severity=Severity.ERROR if error else Severity.WARNING,
    )
