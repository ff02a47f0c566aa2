"""Completeness and timeliness per unit and quarter (pure; DHIS2's definition)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.catalog import Unit
from models.periods import Period, local_day_end_utc
from models.submission import Status


@dataclass(frozen=True)
class SubmissionFact:
    """What timeliness needs to know of one submission."""

    id: str
    unit_code: str
    period: str
    status: str  # accepted | superseded | rejected | withdrawn | received
    received_at: datetime
    arrived: datetime | None = None  # the earliest it can have arrived (received_at if None)

    @property
    def arrival(self) -> datetime:
        return self.arrived or self.received_at


def unit_status(
    period: Period, subs: list[SubmissionFact], timely_days: int, now: datetime
) -> tuple[str, SubmissionFact | None]:
    """``on_time`` / ``late`` by the first accepted submission; else ``missing``/``pending``."""
    due = local_day_end_utc(period.due_date(timely_days))
    kept = [s for s in subs if s.status in (Status.ACCEPTED, Status.SUPERSEDED)]
    current = next((s for s in subs if s.status == Status.ACCEPTED), None)
    if kept:
        return ("on_time" if min(s.arrival for s in kept) < due else "late"), current
    return ("pending" if now < due else "missing"), None


def quarter_rows(
    period: Period,
    expected: list[Unit],
    subs: list[SubmissionFact],
    timely_days: int,
    now: datetime,
) -> list[dict[str, Any]]:
    """One row per expected unit."""
    by_unit: dict[str, list[SubmissionFact]] = {}
    for s in subs:
        by_unit.setdefault(s.unit_code, []).append(s)
    rows = []
    for u in expected:
        mine = by_unit.get(u.code, [])
        status, current = unit_status(period, mine, timely_days, now)
        rows.append(
            {
                "period": str(period),
                "unit_code": u.code,
                "unit_name": u.name,
                "status": status,
                "submission_id": current.id if current else None,
                "received_at": current.received_at if current else None,
                "rejected_count": sum(s.status == Status.REJECTED for s in mine),
            }
        )
    return rows


def table_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A quarter's completeness rows as the run's table in the Prefect UI shows them."""
    return [
        {
            "unit": r["unit_code"],
            "name": r["unit_name"],
            "status": r["status"],
            "received_at": r["received_at"].isoformat() if r["received_at"] else "",
            "rejected": r["rejected_count"],
        }
        for r in rows
    ]


STATUSES = ("on_time", "late", "missing", "pending")


def by_group(
    rows: list[dict[str, Any]], groups: Sequence[tuple[str, str, str, Sequence[Unit | str]]]
) -> list[dict[str, Any]]:
    """Completeness counted per group of units (a province, a territory): ``groups`` are
    ``(level, code, name, units)``, units as catalog entries or codes; a unit without a
    row counts as missing. The one count ``chiso status``, the portal, the published
    report and the officers' digest show."""
    status = {r["unit_code"]: r["status"] for r in rows}
    out = []
    for level, code, name, units in groups:
        mine = [status.get(u if isinstance(u, str) else u.code, "missing") for u in units]
        counts = {s: mine.count(s) for s in STATUSES}
        out.append({"level": level, "code": code, "name": name, "units": len(units), **counts})
    return out
