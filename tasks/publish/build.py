"""Build a period's publication: its rows, its files and the version hash (pure)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from models.catalog import Indicator, Unit, UnitCatalog
from models.periods import Period, local_day_end_utc
from models.territories import Territories, Territory
from tasks.publish import completeness, indicators, tables
from tasks.publish.indicators import UnitReport, distinct_enterprises

DATA_FILES = ("indicators.csv", "completeness.csv", "enterprises.csv")


@dataclass
class Publication:
    """Everything one snapshot of a period holds, before it is written."""

    period: str
    status: str  # provisional | final
    indicators: list[dict[str, Any]]
    completeness: list[dict[str, Any]]
    enterprises: list[dict[str, Any]]
    lineage: list[dict[str, str]] = field(default_factory=list)
    territories: list[dict[str, Any]] = field(default_factory=list)  # members used
    crosswalk: list[dict[str, Any]] = field(default_factory=list)

    @cached_property
    def columns(self) -> list[list[Any]]:
        """The indicator rows normalised, once for the three formats."""
        return tables.columns("indicators", self.indicators)

    @cached_property
    def files(self) -> dict[str, bytes]:
        """The data files, made when first needed: a quarter built only for its year never
        needs them."""
        return {
            "indicators.csv": tables.to_csv("indicators", self.indicators, self.columns),
            "completeness.csv": tables.to_csv("completeness", self.completeness),
            "enterprises.csv": tables.to_csv("enterprises", self.enterprises),
        }

    def release_files(self) -> None:
        """Let the files go once published (the rows stay, for the year): a backfill keeps
        up to four national quarters for their year."""
        self.__dict__.pop("files", None)
        self.__dict__.pop("columns", None)

    def release_roster(self) -> None:
        """Let the roster rows go once published: a year reads only its latest quarter's
        (:func:`year`), and a national quarter's roster is 32,000 rows."""
        self.enterprises = []

    @property
    def data_hash(self) -> str:
        """sha256 over the three data files (name and bytes, in a fixed order)."""
        h = hashlib.sha256()
        for name in DATA_FILES:
            h.update(name.encode() + b"\0" + self.files[name] + b"\0")
        return h.hexdigest()

    def version(self, now: datetime) -> str:
        return f"{now:%Y%m%dT%H%M%SZ}-{self.data_hash[:12]}"


def _sort_indicators(rows: list[dict[str, Any]], order: dict[str, int]) -> list[dict[str, Any]]:
    return sorted(
        rows,
        key=lambda r: (
            r["period"],
            r["level"],
            len(r["unit_code"]),
            r["unit_code"],
            order.get(r["indicator"], 0),
        ),
    )


def enterprise_rows(
    period: str, units: UnitCatalog, reports: dict[str, UnitReport]
) -> list[dict[str, Any]]:
    """One row per (unit, enterprise) of the current submissions, all statuses."""
    everyone = [e for r in reports.values() for e in r.enterprises]
    province = distinct_enterprises(everyone)
    rows = []
    for code in sorted(reports, key=lambda c: (len(c), c)):
        unit = units.find(code)
        for e in distinct_enterprises(reports[code].enterprises).values():
            rows.append(
                {
                    "period": period,
                    "unit_code": code,
                    "unit_name": unit.name if unit else "",
                    "tax_code": e.tax_code,
                    "enterprise_code": e.enterprise_code,
                    "name": e.name,
                    "type": e.type,
                    "dx_capable": e.dx_capable,
                    "established_on": e.established_on,
                    "status": e.status,
                    "main_products": e.main_products,
                    "counted_at_province": province[e.enterprise_code] is e,
                    "submission_id": reports[code].submission_id,
                }
            )
    return sorted(rows, key=lambda r: (len(r["unit_code"]), r["unit_code"], r["enterprise_code"]))


def member_rows(period: str, groups: list[tuple[Territory, list[Unit]]]) -> list[dict[str, Any]]:
    """``territories.csv``: the member units each territory's rows were computed from."""
    return [
        {"period": period, "territory": t.code, "unit_code": u.code, "unit_name": u.name}
        for t, members in groups
        for u in sorted(members, key=lambda u: (len(u.code), u.code))
    ]


@dataclass
class Context:
    """What building any publication needs besides the period's data."""

    units: UnitCatalog
    published: list[Indicator]
    targets: list[dict[str, Any]]
    timely_days: int
    now: datetime
    territories: Territories = field(default_factory=Territories)
    built: dict[str, Publication] = field(default_factory=dict)  # quarters built this run

    @cached_property
    def crosswalk_rows(self) -> list[dict[str, Any]]:
        return [dict(r, weight=float(r["weight"])) for r in self.territories.crosswalk]

    @cached_property
    def successors(self) -> dict[str, str]:
        return self.territories.successors(self.units)

    @property
    def order(self) -> dict[str, int]:
        return {i.code: i.sort_order for i in self.published}

    def let_go(self, period: str, last_quarter: str) -> None:
        """Free what ``period``'s publication no longer needs: a year's quarters once the
        year is built; a quarter's roster unless it is ``last_quarter`` of its year (the
        year's roster is the latest quarter's)."""
        if len(period) == 4:
            self.built.clear()
        elif period != last_quarter and period in self.built:
            self.built[period].release_roster()


def quarter(
    ctx: Context,
    period: Period,
    reports: dict[str, UnitReport],
    facts: list[completeness.SubmissionFact],
) -> Publication:
    """A quarter's publication."""
    expected = ctx.units.expected(period)
    groups = ctx.territories.groups(period, ctx.units)
    rows = indicators.quarter_rows(
        str(period),
        period.year,
        ctx.units.provinces(period),
        reports,
        ctx.published,
        ctx.targets,
        groups,
    )
    due = local_day_end_utc(period.due_date(ctx.timely_days))
    lineage = [
        {"submission_id": r.submission_id, "sha256": r.content_sha256, "unit_code": r.unit_code}
        for r in sorted(reports.values(), key=lambda r: r.submission_id)
    ]
    return Publication(
        str(period),
        "final" if ctx.now >= due else "provisional",
        _sort_indicators(rows, ctx.order),
        completeness.quarter_rows(period, expected, facts, ctx.timely_days, ctx.now),
        enterprise_rows(str(period), ctx.units, reports),
        lineage,
        member_rows(str(period), groups),
        ctx.crosswalk_rows,
    )


def year(ctx: Context, year_key: str, quarters: dict[str, Publication]) -> Publication:
    """Year to date from the quarters published so far (``as_of`` = the latest)."""
    as_of = max(quarters)
    rows = indicators.year_rows(
        year_key,
        {k: q.indicators for k, q in quarters.items()},
        ctx.published,
        ctx.successors,
    )
    comp = [r for k in sorted(quarters) for r in quarters[k].completeness]
    ents = [dict(r, period=year_key) for r in quarters[as_of].enterprises]
    q4_due = local_day_end_utc(Period(int(year_key), 4).due_date(ctx.timely_days))
    lineage = [x for k in sorted(quarters) for x in quarters[k].lineage]
    return Publication(
        year_key,
        "final" if ctx.now >= q4_due else "provisional",
        _sort_indicators(rows, ctx.order),
        comp,
        ents,
        lineage,
        [r for k in sorted(quarters) for r in quarters[k].territories],
        ctx.crosswalk_rows,
    )
