"""Indicator arithmetic (pure): per unit and per province, per quarter and year-to-date."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.catalog import Indicator, Unit, code_key
from models.form import CORE_TYPES
from models.territories import Territory


@dataclass(frozen=True)
class Enterprise:
    """One roster entry of a current submission."""

    unit_code: str
    tax_code: str
    enterprise_code: str
    name: str
    type: str
    dx_capable: bool
    status: str
    established_on: Any = None
    main_products: str | None = None


@dataclass
class UnitReport:
    """A unit's current accepted submission for a quarter."""

    unit_code: str
    submission_id: str
    content_sha256: str
    received_at: datetime
    figures: dict[str, int]
    enterprises: list[Enterprise] = field(default_factory=list)


def distinct_enterprises(rows: Iterable[Enterprise]) -> dict[str, Enterprise]:
    """One entry per 10-digit code: the lowest unit code's, then the lowest tax code's."""
    out: dict[str, Enterprise] = {}
    for e in sorted(rows, key=lambda e: (len(e.unit_code), e.unit_code, e.tax_code)):
        out.setdefault(e.enterprise_code, e)
    return out


def roster_parts(ents: dict[str, Enterprise]) -> dict[str, int]:
    """The roster counts the published indicators are built from."""
    active = [e for e in ents.values() if e.status == "active"]
    return {
        "DTE_COUNT": len(active),
        "DTE_DX_CAPABLE": sum(e.dx_capable for e in active),
        "DTE_CORE_COUNT": sum(e.type in CORE_TYPES for e in active),
        "CONVERTED_COUNT": sum(e.type == "CONVERTED" for e in active),
    }


def _parts(reports: list[UnitReport], ents: dict[str, Enterprise]) -> dict[str, int | None]:
    """Sums of each figure over the units that reported it (None when none did)."""
    parts: dict[str, int | None] = {}
    for r in reports:
        for code, value in r.figures.items():
            parts[code] = (parts.get(code) or 0) + value
    if reports:
        parts.update(roster_parts(ents))
    return parts


def _value(ind: Indicator, parts: dict[str, int | None]) -> tuple[Any, Any, Any]:
    """(value, numerator, denominator) of an indicator from its parts."""
    num = parts.get(ind.numerator or ind.code)
    if ind.denominator is None:
        return num, num, None
    den = parts.get(ind.denominator)
    if num is None or not den:
        return None, num, den
    return (ind.multiplier or 1) * num / den, num, den


def applies(scope: str, level: str, code: str) -> bool:
    """Whether a target scoped ``scope`` belongs on a row of ``level`` for ``code``: a
    province or territory row gets the targets scoped to it and the national ones (and, from
    a targets file made before scopes named units, those scoped ``province``)."""
    if level == "unit":
        return False
    if scope in ("national", code):
        return True
    return scope == "province" and level == "province"


def _targets(
    targets: list[dict[str, Any]], indicator: str, year: int, level: str, code: str
) -> dict[str, Any]:
    own = [t for t in targets if t["indicator"] == indicator and applies(t["scope"], level, code)]
    first = {"national": 2, "province": 1}  # a target scoped to the row itself comes first
    ahead = sorted(
        (t for t in own if t["kind"] == "target" and t["year"] >= year),
        key=lambda t: (t["year"], first.get(t["scope"], 0)),
    )
    base = sorted(
        (t for t in own if t["kind"] == "baseline"),
        key=lambda t: (first.get(t["scope"], 0), -t["year"]),
    )
    return {
        "target": ahead[0]["value"] if ahead else None,
        "target_year": ahead[0]["year"] if ahead else None,
        "baseline": base[0]["value"] if base else None,
    }


def quarter_rows(
    period: str,
    year: int,
    groups: list[tuple[Unit, list[Unit]]],
    reports: dict[str, UnitReport],
    published: list[Indicator],
    targets: list[dict[str, Any]],
    territories: Sequence[tuple[Territory, list[Unit]]] = (),
) -> list[dict[str, Any]]:
    """Every published indicator for each expected unit, for each province (built from the
    units whose parent it is) and for each territory (built from its member units)."""
    rows = []
    aggregates: list[tuple[str, str, str, list[Unit]]] = []
    for province, expected in groups:
        aggregates.append(("province", province.code, province.name, expected))
        for u in expected:
            rep = reports.get(u.code)
            parts = _parts([rep], distinct_enterprises(rep.enterprises)) if rep else {}
            for ind in published:
                value, num, den = _value(ind, parts) if rep else (None, None, None)
                rows.append(
                    _row(period, "unit", u.code, u.name, ind, value, num, den, int(bool(rep)), 1)
                )
    aggregates += [("territory", t.code, t.name_vi, members) for t, members in territories]
    for level, code, name, expected in aggregates:
        present = [reports[u.code] for u in expected if u.code in reports]
        parts = _parts(present, distinct_enterprises(e for r in present for e in r.enterprises))
        for ind in published:
            value, num, den = _value(ind, parts)
            rows.append(
                _row(period, level, code, name, ind, value, num, den, len(present), len(expected))
                | _targets(targets, ind.code, year, level, code)
            )
    return rows


def _row(
    period: str,
    level: str,
    code: str,
    name: str,
    ind: Indicator,
    value: Any,
    num: Any,
    den: Any,
    reported: int,
    expected: int,
) -> dict[str, Any]:
    return {
        "period": period,
        "as_of": period,
        "level": level,
        "unit_code": code,
        "unit_name": name,
        "indicator": ind.code,
        "value": value,
        "numerator": num,
        "denominator": den,
        "reported_units": reported,
        "expected_units": expected,
        "target": None,
        "target_year": None,
        "baseline": None,
    }


def _series(row: dict[str, Any], successors: Mapping[str, str]) -> str:
    """Which series a row's flows add up in over a year: a province's (an old province's
    rows in its successor's, whose code changes at the 2025 merger), a territory's or a
    unit's."""
    code = row["unit_code"]
    if row["level"] == "province":
        code = code_key(code)
        code = successors.get(code, code)
    return f"{row['level']}:{code}"


def year_rows(
    year: str,
    quarters: dict[str, list[dict[str, Any]]],
    published: list[Indicator],
    successors: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Year to date: the as-of quarter's rows, with flows summed over the quarters (an old
    province's quarters in the province that succeeded it: ``successors``)."""
    as_of = max(quarters)
    flows = {i.code for i in published if i.kind == "flow"}
    sums: dict[tuple[str, str], list[Any]] = {}
    for rows in quarters.values():
        for r in rows:
            key = (_series(r, successors), r["indicator"])
            sums.setdefault(key, []).append(r["value"])
    out = []
    for r in quarters[as_of]:
        row = dict(r, period=year, as_of=as_of)
        key = (_series(r, successors), r["indicator"])
        if r["indicator"] in flows:
            given = [v for v in sums[key] if v is not None]
            row["value"] = row["numerator"] = sum(given) if given else None
        out.append(row)
    return out
