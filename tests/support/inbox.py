"""Build inboxes for tests: valid documents, one change per case, files with receipt times."""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from catalog import UNITS_CSV
from models.catalog import load_indicators, load_units, reported_figures
from models.periods import Period
from tasks.intake.template import build_workbook

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def tax_code(seed: int) -> str:
    """A valid Tây Ninh enterprise code (prefix 39) derived from ``seed``."""
    n = seed * 7
    while True:
        digits = [3, 9, *map(int, f"{n % 10**7:07d}")]
        rest = sum(w * d for w, d in zip(WEIGHTS, digits, strict=True)) % 11
        if rest and n % 10**7:
            return "".join(map(str, digits)) + str(10 - rest)
        n += 1


def valid_doc(unit: str = "25459", period: str = "2025Q3") -> dict[str, Any]:
    """A clean submission: every figure, two roster enterprises."""
    return {
        "unit_code": unit,
        "period": period,
        "reported_by": "Nguyễn Văn An",
        "contact": "0276 3822 000",
        "reported_on": "2025-10-05",
        "indicators": {
            "ENT_ACTIVE_TOTAL": 400,
            "POPULATION": 32000,
            "SITES_5G": 6,
            "PROC_ELIGIBLE": 150,
            "PROC_ONLINE_FULL": 120,
            "DX_CLASSES": 2,
            "DX_TRAINEES": 80,
            "STEM_SCHOOLS": 5,
            "PROMO_EVENTS": 1,
            "ST_PROJECTS": 0,
            "PRIORITY_PRODUCTS": 2,
        },
        "enterprises": [
            {
                "tax_code": tax_code(int(unit) * 2),
                "name": "Công ty TNHH Phần mềm Bà Đen",
                "type": "ICT",
                "dx_capable": True,
                "established_on": "2019-03-01",
                "status": "active",
                "main_products": "Phần mềm quản lý",
            },
            {
                "tax_code": tax_code(int(unit) * 2 + 1),
                "name": "Công ty Cổ phần Số hoá Vàm Cỏ",
                "type": "CONVERTED",
                "dx_capable": False,
                "established_on": "2021-06-15",
                "status": "active",
                "main_products": None,
            },
        ],
    }


def changed(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out.update(changes)
    return out


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def write(root: Path, rel: str, content: dict[str, Any] | bytes | str, received: datetime) -> Path:
    """Write a file (a document as JSON or XLSX by extension) and set its receipt time."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, dict) and rel.endswith(".xlsx"):
        units = load_units(UNITS_CSV)
        unit = units.find(content.get("unit_code") or "25459") or units.find("25459")
        assert unit is not None
        figures = list(reported_figures(load_indicators()).values())
        period = Period.try_parse(content.get("period") or "") or Period(2025, 3)
        path.write_bytes(build_workbook(unit, period, figures, content))
    elif isinstance(content, dict):
        path.write_text(json.dumps(content, ensure_ascii=False), "utf-8")
    elif isinstance(content, str):
        path.write_text(content, "utf-8")
    else:
        path.write_bytes(content)
    os.utime(path, (received.timestamp(), received.timestamp()))
    return path
