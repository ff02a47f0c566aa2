"""Turn a batch of parsed submissions into one DataFrame per part, keyed for GX results.

Every frame has the index columns ``submission_id`` and ``row`` (unique within a part of a
submission) so each failed row maps back; ``sheet_row`` is the worksheet row to report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from models.catalog import code_key
from models.form import ParsedSubmission
from models.periods import Period

INDEX = ["submission_id", "row"]


@dataclass
class Item:
    """One submission in a validation batch."""

    submission_id: str
    parsed: ParsedSubmission
    path_unit: str | None
    path_period: str | None


def info_frame(items: list[Item], validity: dict[str, list[Any]]) -> pd.DataFrame:
    """One row per submission; ``unit_validity`` is the catalog's ``from|to`` of the unit
    (null when the code is not a reporting unit), so no expectation carries the catalog."""
    rows = []
    for it in items:
        info = it.parsed.info
        raw = info.get("period")
        period = Period.try_parse(raw) if raw else None
        path_period = Period.try_parse(it.path_period) if it.path_period else None
        rows.append(
            {
                "submission_id": it.submission_id,
                "row": 0,
                "unit_code": info.get("unit_code"),
                "unit_key": (key := code_key(info["unit_code"]) if info.get("unit_code") else None),
                "unit_validity": "|".join(v or "" for v in validity[key])
                if key in validity
                else None,
                "period_raw": raw,
                "period": str(period) if period else raw,
                "period_last": period.last_day.isoformat() if period else None,
                "period_index": period.year * 4 + period.quarter - 1 if period else None,
                "path_unit_key": code_key(it.path_unit) if it.path_unit else None,
                "path_period": str(path_period) if path_period else it.path_period,
                "reported_by": info.get("reported_by"),
                "contact": info.get("contact"),
            }
        )
    df = pd.DataFrame(rows)
    df["period_index"] = df["period_index"].astype("Int64")
    return df


def figures_frame(items: list[Item]) -> pd.DataFrame:
    rows = []
    for it in items:
        for n, f in enumerate(it.parsed.figures, start=1):
            bad = f.value is None and f.raw != ""
            rows.append(
                {
                    "submission_id": it.submission_id,
                    "row": n,
                    "sheet_row": f.row,
                    "code": f.code,
                    "raw": f.raw,
                    "int_value": -1 if bad else f.value,
                }
            )
    df = pd.DataFrame(
        rows, columns=["submission_id", "row", "sheet_row", "code", "raw", "int_value"]
    )
    df["int_value"] = df["int_value"].astype("Int64")
    df["sheet_row"] = df["sheet_row"].astype("Int64")
    return df


def wide_frame(items: list[Item], codes: list[str]) -> pd.DataFrame:
    """One row per submission: each figure's value, and the active roster size."""
    rows = []
    for it in items:
        values: dict[str, int | None] = dict.fromkeys(codes)
        for f in it.parsed.figures:
            if f.code in values and values[f.code] is None:
                values[f.code] = f.value
        active = {e.enterprise_code for e in it.parsed.enterprises if e.status == "active"}
        rows.append(
            {"submission_id": it.submission_id, "row": 0, **values, "active_roster": len(active)}
        )
    df = pd.DataFrame(rows, columns=["submission_id", "row", *codes, "active_roster"])
    for c in [*codes, "active_roster"]:
        df[c] = df[c].astype("Int64")
    return df


def enterprises_frame(items: list[Item]) -> pd.DataFrame:
    rows = []
    for it in items:
        period = Period.try_parse(it.parsed.info.get("period") or "")
        end = period.last_day.toordinal() if period else None
        for n, e in enumerate(it.parsed.enterprises, start=1):
            if e.established_on:
                established: str | None = e.established_on.isoformat()
            else:
                established = e.established_raw or None
            rows.append(
                {
                    "submission_id": it.submission_id,
                    "row": n,
                    "sheet_row": e.row,
                    "tax_code": e.tax_code,
                    "name": e.name or None,
                    "type": e.type or e.type_raw,
                    "status": e.status or e.status_raw,
                    "dx_capable": e.dx_capable if e.dx_capable is not None else e.dx_capable_raw,
                    "established": established,
                    "established_ord": e.established_on.toordinal() if e.established_on else None,
                    "period_end_ord": end,
                    "main_products": e.main_products,
                }
            )
    cols = [
        "submission_id",
        "row",
        "sheet_row",
        "tax_code",
        "name",
        "type",
        "status",
        "dx_capable",
        "established",
        "established_ord",
        "period_end_ord",
        "main_products",
    ]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("sheet_row", "established_ord", "period_end_ord"):
        df[c] = df[c].astype("Int64")
    df["dx_capable"] = df["dx_capable"].astype("object")
    return df
