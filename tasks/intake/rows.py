"""Turn one figure or one roster entry (cells or JSON fields) into its typed row."""

from __future__ import annotations

from typing import Any

from models.form import EnterpriseRow, FigureRow
from tasks.intake.normalise import (
    clean_text,
    normalise_tax_code,
    parse_count,
    parse_date,
    parse_status,
    parse_type,
    parse_yes_no,
)


def figure_row(cells: dict[str, Any], row: int | None) -> FigureRow:
    """A figure from its ``code``, ``value`` and optional ``note``."""
    value = cells.get("value")
    return FigureRow(
        code=clean_text(cells.get("code")).upper(),
        raw=clean_text(value)
        if not isinstance(value, float) or value.is_integer()
        else repr(value),
        value=parse_count(value),
        note=clean_text(cells.get("note")) or None,
        row=row,
    )


def enterprise_row(cells: dict[str, Any], row: int) -> EnterpriseRow:
    """A roster entry; every normalised field keeps the raw text it came from."""
    established = cells.get("established_on")
    return EnterpriseRow(
        row=row,
        tax_code_raw=clean_text(cells.get("tax_code")),
        tax_code=normalise_tax_code(cells.get("tax_code")),
        name=clean_text(cells.get("name")),
        type_raw=clean_text(cells.get("type")),
        type=parse_type(cells.get("type")),
        dx_capable_raw=clean_text(cells.get("dx_capable")),
        dx_capable=parse_yes_no(cells.get("dx_capable")),
        established_raw=clean_text(established),
        established_on=parse_date(established),
        status_raw=clean_text(cells.get("status")),
        status=parse_status(cells.get("status")),
        main_products=clean_text(cells.get("main_products")) or None,
    )
