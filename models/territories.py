"""Territories across the merger (contract section 5a): the crosswalk from old to new
commune-level units, the territories built on it, and the units' coordinates."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from models.catalog import CatalogError, Unit, UnitCatalog, code_key, read_csv
from models.periods import Period

CROSSWALK_COLUMNS = (
    "old_code",
    "old_name",
    "old_district_code",
    "old_province_code",
    "new_code",
    "new_name",
    "weight",
    "source",
)


@dataclass(frozen=True)
class Territory:
    """A territory followed across the merger: the land of one old province."""

    code: str
    name_vi: str
    name_en: str
    old_province: str  # the old province's code (rule ``old_province=<code>``)


@dataclass(frozen=True)
class Place:
    """A unit's centroid and area (blank when the source gives none)."""

    lat: float
    lon: float
    area_km2: float | None


@dataclass
class Territories:
    """The territories, the crosswalk they are built on, and where each unit lies."""

    territories: list[Territory] = field(default_factory=list)
    crosswalk: list[dict[str, str]] = field(default_factory=list)
    places: dict[str, Place] = field(default_factory=dict)
    _formed_from: dict[str, set[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._formed_from = {}
        for row in self.crosswalk:
            key = code_key(row["new_code"])
            self._formed_from.setdefault(key, set()).add(code_key(row["old_province_code"]))

    def territory_of(self, unit: Unit, catalog: UnitCatalog) -> Territory | None:
        """The territory ``unit`` belongs to: a new unit's when every old unit it was formed
        from lies in that old province; an old unit's when its province (one that has since
        ceased, ``valid_to`` set) is that old province. None for a unit formed from several
        old provinces, or one the crosswalk does not know."""
        olds = self._formed_from.get(code_key(unit.code))
        if olds is not None:
            if len(olds) != 1:
                return None
            (old,) = olds
        else:
            parent = catalog.get(unit.parent_code) if unit.parent_code else None
            if parent is None or parent.level != "province" or parent.valid_to is None:
                return None
            old = code_key(parent.code)
        return next((t for t in self.territories if code_key(t.old_province) == old), None)

    def groups(self, period: Period, catalog: UnitCatalog) -> list[tuple[Territory, list[Unit]]]:
        """Each territory with its members among the units expected for ``period`` (a
        territory without members that quarter is left out)."""
        members: dict[str, list[Unit]] = {}
        for u in catalog.expected(period):
            t = self.territory_of(u, catalog)
            if t is not None:
                members.setdefault(t.code, []).append(u)
        return [(t, members[t.code]) for t in self.territories if t.code in members]

    def place(self, code: str) -> Place | None:
        return self.places.get(code)

    def successors(self, catalog: UnitCatalog) -> dict[str, str]:
        """Each old province the crosswalk knows -> the province its units went into, where
        they all went into one (Tây Ninh's 72 -> 80): a year's flows add up across the merger
        in that province's series. Every other province is a series of its own."""
        into: dict[str, set[str]] = {}
        for row in self.crosswalk:
            new = catalog.get(row["new_code"])
            if new is not None and new.parent_code:
                old = code_key(row["old_province_code"])
                into.setdefault(old, set()).add(code_key(new.parent_code))
        return {old: next(iter(new)) for old, new in into.items() if len(new) == 1}


def _float(text: str, path: Path, line: int, name: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise CatalogError(f"{path}:{line}: {name} is not a number: {text!r}") from exc
    if not math.isfinite(value):
        raise CatalogError(f"{path}:{line}: {name} is not a finite number: {text!r}")
    return value


def load_territories(path: Path) -> list[Territory]:
    """Read ``code,name_vi,name_en,rule`` (rule: ``old_province=<code>``)."""
    out = []
    for line, row in enumerate(read_csv(path), start=2):
        try:
            rule = row["rule"].strip()
            name, _, value = rule.partition("=")
            if name.strip() != "old_province" or not value.strip():
                raise CatalogError(
                    f"{path}:{line}: rule {rule!r} is not of the form old_province=<code>"
                )
            out.append(
                Territory(
                    row["code"].strip(),
                    row["name_vi"].strip(),
                    row["name_en"].strip(),
                    value.strip(),
                )
            )
        except KeyError as exc:
            raise CatalogError(f"{path}: missing column {exc.args[0]!r}") from exc
    return out


def load_crosswalk(path: Path) -> list[dict[str, str]]:
    """Read the crosswalk (contract 5a); each old unit's weights must sum to 1."""
    rows = read_csv(path)
    if rows and (missing := [c for c in CROSSWALK_COLUMNS if c not in rows[0]]):
        raise CatalogError(f"{path}: missing column {missing[0]!r}")
    totals: dict[str, float] = {}
    for line, row in enumerate(rows, start=2):
        weight = _float(row["weight"], path, line, "weight")
        if weight is None or not 0 < weight <= 1:
            raise CatalogError(f"{path}:{line}: weight must be in (0, 1]: {row['weight']!r}")
        old = f"{row['old_province_code']}/{row['old_code']}"
        totals[old] = totals.get(old, 0.0) + weight
    bad = sorted(old for old, total in totals.items() if abs(total - 1) > 1e-3)
    if bad:
        raise CatalogError(f"{path}: the weights of old unit {bad[0]} do not sum to 1")
    return [{c: row[c].strip() for c in CROSSWALK_COLUMNS} for row in rows]


def load_places(path: Path) -> dict[str, Place]:
    """Read ``code,lat,lon,area_km2,source``."""
    out = {}
    for line, row in enumerate(read_csv(path), start=2):
        try:
            lat = _float(row["lat"], path, line, "lat")
            lon = _float(row["lon"], path, line, "lon")
            if lat is None or lon is None:
                raise CatalogError(f"{path}:{line}: lat and lon are required")
            out[row["code"].strip()] = Place(lat, lon, _float(row["area_km2"], path, line, "area"))
        except KeyError as exc:
            raise CatalogError(f"{path}: missing column {exc.args[0]!r}") from exc
    return out


def load_territory_catalog(territories: Path, crosswalk: Path, geo: Path) -> Territories:
    return Territories(load_territories(territories), load_crosswalk(crosswalk), load_places(geo))
