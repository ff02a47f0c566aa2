"""The floor's catalog: units, indicators, targets, territories from the bundled CSVs; the
quarters' last days."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PERIOD = re.compile(r"^(\d{4})Q([1-4])$")


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


class Catalog:
    def __init__(self, units_csv: Path) -> None:
        self.units = {r["code"]: r for r in rows_of(units_csv)}
        self.indicators = rows_of(ROOT / "catalog" / "indicators.csv")
        self.reported = {r["code"]: r for r in self.indicators if r["role"] == "reported"}
        self.published = [r for r in self.indicators if r["role"] == "published"]
        self.targets = rows_of(ROOT / "catalog" / "targets.csv")
        self.crosswalk = rows_of(ROOT / "catalog" / "crosswalk.csv")
        self.territories = rows_of(ROOT / "catalog" / "territories.csv")

    def expected(self, last_day: date) -> list[dict[str, str]]:
        day = last_day.isoformat()
        return [
            u
            for u in self.units.values()
            if u["level"] == "commune"
            and u["valid_from"] <= day
            and (not u["valid_to"] or day <= u["valid_to"])
        ]

    def members(self, expected: list[dict[str, str]]) -> dict[str, list[str]]:
        """Territory -> its expected units (a new unit whose old units all lay in one old
        province belongs to that province's territory)."""
        olds: dict[str, set[str]] = defaultdict(set)
        for r in self.crosswalk:
            olds[r["new_code"]].add(r["old_province_code"])
        rule = {t["rule"].split("=")[1]: t["code"] for t in self.territories}
        out: dict[str, list[str]] = defaultdict(list)
        for u in expected:
            provinces = olds.get(u["code"], set())
            if len(provinces) == 1 and (p := next(iter(provinces))) in rule:
                out[rule[p]].append(u["code"])
        return out


def quarter_last_day(period: str) -> date:
    year, q = int(period[:4]), int(period[5])
    end = date(year, 3 * q, 1) + timedelta(days=31)
    return end.replace(day=1) - timedelta(days=1)
