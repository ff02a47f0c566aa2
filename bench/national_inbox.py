"""A deterministic synthetic national inbox: one quarter of every commune-level unit.

    uv run python bench/national_inbox.py [ROOT] [--period 2025Q4] [--units N]

3,321 units (codes from the real 2025 list, catalog/units_vn_2025.csv), rosters of 0-20
enterprises with valid tax codes, 2 % bad files (each bad in one known way), half XLSX and
half JSON, received before the due date. The same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import results_dir  # noqa: E402
from catalog import NATIONAL_UNITS_CSV  # noqa: E402
from models.catalog import load_indicators, load_units, reported_figures  # noqa: E402
from models.periods import Period  # noqa: E402
from tasks.intake.template import build_workbook  # noqa: E402

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
TYPES = ["ICT", "DIGITAL_STARTUP", "STARTUP_APPLYING_DT", "CONVERTED"]
BAD = ["tax_code", "pair", "format", "mojibake", "negative"]


def tax_code(rng: random.Random, prefix: str) -> str:
    while True:
        digits = [int(c) for c in prefix[:2].zfill(2)] + [rng.randrange(10) for _ in range(7)]
        rest = sum(w * d for w, d in zip(WEIGHTS, digits, strict=True)) % 11
        if rest and any(digits[2:]):
            return "".join(map(str, digits)) + str(10 - rest)


def document(rng: random.Random, unit: str, province: str, period: Period) -> dict[str, Any]:
    roster = []
    for _ in range(rng.randint(0, 20)):
        roster.append(
            {
                "tax_code": tax_code(rng, province),
                "name": "Công ty TNHH Công nghệ Số",
                "type": rng.choice(TYPES),
                "dx_capable": rng.random() < 0.3,
                "established_on": date(rng.randint(2010, 2024), rng.randint(1, 12), 1),
                "status": "active" if rng.random() < 0.9 else "suspended",
                "main_products": "Phần mềm",
            }
        )
    eligible = rng.randint(100, 200)
    classes = rng.randint(0, 5)
    figures = {
        "ENT_ACTIVE_TOTAL": 50 + len(roster) + rng.randint(0, 400),
        "POPULATION": rng.randint(8000, 60000),
        "SITES_5G": rng.randint(0, 20),
        "PROC_ELIGIBLE": eligible,
        "PROC_ONLINE_FULL": rng.randint(0, eligible),
        "STEM_SCHOOLS": rng.randint(0, 9),
        "PROMO_EVENTS": rng.randint(0, 3),
        "ST_PROJECTS": rng.randint(0, 2),
        "PRIORITY_PRODUCTS": rng.randint(0, 3),
    }
    if classes:
        figures |= {"DX_CLASSES": classes, "DX_TRAINEES": classes * rng.randint(20, 60)}
    return {
        "unit_code": unit,
        "period": str(period),
        "reported_by": "Phòng Văn hóa - Xã hội",
        "contact": "",
        "reported_on": "2026-01-05",
        "indicators": figures,
        "enterprises": roster,
    }


def spoil(doc: dict[str, Any], how: str) -> dict[str, Any]:
    if how == "tax_code" and doc["enterprises"]:
        doc["enterprises"][0]["tax_code"] = doc["enterprises"][0]["tax_code"][:9] + "X"
    elif how == "pair":
        doc["indicators"].pop("PROC_ONLINE_FULL")
    elif how == "mojibake":
        doc["reported_by"] = "Phßng V¨n hãa"
    else:
        doc["indicators"]["SITES_5G"] = -1
    return doc


def write_inbox(root: Path, period: Period, limit: int | None = None) -> int:
    """Write the inbox; the number of files."""
    units = load_units(Path(os.environ.get("CHISO_UNITS_CSV") or NATIONAL_UNITS_CSV))
    figures = list(reported_figures(load_indicators()).values())
    expected = units.expected(period)[:limit]
    rng = random.Random(f"national-{period}")
    when = datetime.combine(period.last_day + timedelta(days=5), time(3), tzinfo=UTC)
    for n, unit in enumerate(expected):
        doc = document(rng, unit.code, unit.parent_code or "00", period)
        bad = BAD[n % len(BAD)] if rng.random() < 0.02 else None
        if bad and bad != "format":
            doc = spoil(doc, bad)
        folder = root / unit.code / str(period)
        folder.mkdir(parents=True, exist_ok=True)
        if bad == "format":
            path = folder / f"{unit.code}.pdf"
            path.write_bytes(b"%PDF-1.4 scanned report")
        elif n % 2:
            path = folder / f"{unit.code}.xlsx"
            path.write_bytes(build_workbook(unit, period, figures, doc))
        else:
            path = folder / f"{unit.code}.json"
            doc["enterprises"] = [
                {**e, "established_on": e["established_on"].isoformat()} for e in doc["enterprises"]
            ]
            path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        stamp = (when + timedelta(seconds=n)).timestamp()
        os.utime(path, (stamp, stamp))
    return len(expected)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("root", nargs="?", default=str(results_dir() / "inbox"))
    parser.add_argument("--period", default="2025Q4")
    parser.add_argument("--units", type=int, default=None)
    args = parser.parse_args()
    n = write_inbox(Path(args.root), Period.parse(args.period), args.units)
    print(f"{n} files under {args.root}")
