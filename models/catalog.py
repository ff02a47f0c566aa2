"""The catalog as domain objects: units with validity, indicator definitions, targets."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from catalog import INDICATORS_CSV
from models.db import upgrade, upsert
from models.periods import Period
from models.reference import IndicatorDefinition, ReportingUnit, Target

REPORTING_LEVELS = ("district", "commune")


class CatalogError(ValueError):
    """A catalog file that cannot be used, with the file and line named."""


def code_key(code: object) -> str:
    """A unit code compared ignoring leading zeros (Excel turns ``00070`` into ``70``)."""
    text = str(code).strip()
    if not text.isascii():  # fullwidth digits are the digits a person meant
        text = unicodedata.normalize("NFKC", text)
    if text.endswith(".0") and text[:-2].isascii() and text[:-2].isdigit():
        text = text[:-2]
    return text.lstrip("0") or "0"


@dataclass(frozen=True)
class Unit:
    """A reporting unit or a province, valid from ``valid_from`` to ``valid_to`` inclusive."""

    code: str
    name: str
    level: str
    parent_code: str | None
    valid_from: date
    valid_to: date | None
    source: str = ""

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass
class UnitCatalog:
    """Every unit of the catalog, looked up by code ignoring leading zeros."""

    units: list[Unit]
    _by_code: dict[str, Unit] = field(init=False, repr=False)
    _by_key: dict[str, Unit] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code = {u.code: u for u in self.units}
        self._by_key = {}
        for u in self.units:
            if u.level in REPORTING_LEVELS:
                other = self._by_key.setdefault(code_key(u.code), u)
                if other is not u:
                    raise CatalogError(
                        f"reporting units {other.code} and {u.code} have the "
                        "same code ignoring leading zeros"
                    )

    def find(self, code: object) -> Unit | None:
        """A reporting unit by its code ignoring leading zeros (the contract's rule for
        codes in paths and files), else any unit by its exact code (a province)."""
        if code in (None, ""):
            return None
        text = str(code).strip()
        return self._by_key.get(code_key(text)) or self._by_code.get(text)

    def get(self, code: str) -> Unit | None:
        """Any unit by its exact code."""
        return self._by_code.get(code)

    def expected(self, period: Period) -> list[Unit]:
        """Reporting units expected (and allowed) to report for ``period``."""
        day = period.last_day
        return [u for u in self.units if u.level in REPORTING_LEVELS and u.valid_on(day)]

    def publishable(self, period: Period, today: date) -> bool:
        """Whether ``period`` may be published: it has begun, and some unit may report for
        it (a file for a far quarter, rightly rejected, must not add it to what the
        province publishes)."""
        return period.first_day <= today and bool(self.expected(period))

    def provinces(self, period: Period) -> list[tuple[Unit, list[Unit]]]:
        """Each province with its units expected for ``period`` (one for a province's own
        catalog; 34 for the whole country's)."""
        groups: dict[str, list[Unit]] = {}
        for u in self.expected(period):
            groups.setdefault(u.parent_code or "", []).append(u)
        out = []
        for code in sorted(groups, key=lambda c: (len(c), c)):
            province = self._by_code.get(code)
            if province is None or province.level != "province":
                raise CatalogError(
                    f"units expected in {period} have parent {code!r}, which is "
                    "not a province of the catalog"
                )
            out.append((province, groups[code]))
        return out


def read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    except OSError as exc:
        raise CatalogError(f"cannot read catalog file {path}: {exc.strerror}") from exc


def _date(text: str, path: Path, line: int) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CatalogError(f"{path}:{line}: not an ISO date: {text!r}") from exc


def load_units(path: Path) -> UnitCatalog:
    """Read a unit catalog CSV (``code,name,level,parent_code,valid_from,valid_to,source``)."""
    units = []
    for line, row in enumerate(read_csv(path), start=2):
        try:
            level = row["level"].strip()
            if level not in ("province", *REPORTING_LEVELS):
                raise CatalogError(f"{path}:{line}: unknown level {level!r}")
            start = _date(row["valid_from"], path, line)
            if start is None:
                raise CatalogError(f"{path}:{line}: valid_from is required")
            units.append(
                Unit(
                    row["code"].strip(),
                    row["name"].strip(),
                    level,
                    row["parent_code"].strip() or None,
                    start,
                    _date(row["valid_to"] or "", path, line),
                    row.get("source") or "",
                )
            )
        except KeyError as exc:
            raise CatalogError(f"{path}: missing column {exc.args[0]!r}") from exc
    return UnitCatalog(units)


@dataclass(frozen=True)
class Indicator:
    """A reported figure (``role=reported``) or a published indicator."""

    code: str
    role: str
    label_vi: str
    label_en: str
    kind: str
    required: bool
    unit: str
    numerator: str | None
    denominator: str | None
    multiplier: float | None
    pair: str | None
    sort_order: int


def load_indicators(path: Path = INDICATORS_CSV) -> list[Indicator]:
    """Read the indicator definitions."""
    out = []
    for row in read_csv(path):
        out.append(
            Indicator(
                row["code"],
                row["role"],
                row["label_vi"],
                row["label_en"],
                row["kind"],
                row["required"].strip().lower() == "true",
                row["unit"],
                row["numerator"] or None,
                row["denominator"] or None,
                float(row["multiplier"]) if row["multiplier"] else None,
                row["pair"] or None,
                int(row["sort_order"]),
            )
        )
    return out


def reported_figures(indicators: list[Indicator]) -> dict[str, Indicator]:
    return {i.code: i for i in indicators if i.role == "reported"}


def load_targets(path: Path) -> list[dict[str, object]]:
    """Read targets and baselines (``indicator,kind,year,value,scope,source``): ``scope`` is
    a unit code, a territory code or ``national``; ``province`` (or blank), as in files made
    before contract v3, means every province row."""
    out = []
    for line, row in enumerate(read_csv(path), start=2):
        try:
            out.append(
                {
                    "indicator": row["indicator"].strip(),
                    "kind": row["kind"].strip(),
                    "year": int(row["year"]),
                    "value": float(row["value"]),
                    "scope": (row.get("scope") or "").strip() or "province",
                    "source": row.get("source") or "",
                }
            )
        except (KeyError, ValueError) as exc:
            raise CatalogError(f"{path}:{line}: bad target row: {exc}") from exc
    return out


def sync_catalog(
    session: Session,
    units: UnitCatalog,
    indicators: list[Indicator],
    targets: list[dict[str, object]],
) -> None:
    """Load the catalog into its tables (idempotent upserts)."""
    upsert(
        session,
        ReportingUnit,
        [{**asdict(u), "code_key": code_key(u.code)} for u in units.units],
        ["code"],
    )
    upsert(session, IndicatorDefinition, [asdict(i) for i in indicators], ["code", "role"])
    session.execute(delete(Target))  # the file replaces what an earlier one said
    upsert(session, Target, targets, ["indicator", "kind", "year", "scope"])


def install_catalog(
    engine: Engine,
    units: UnitCatalog,
    indicators: list[Indicator],
    targets: list[dict[str, object]],
) -> None:
    """Migrate the schema to head and load the catalog into its tables."""
    upgrade(engine)
    with Session(engine) as session:
        sync_catalog(session, units, indicators, targets)
        session.commit()
