"""Backfill: choose what to re-decide in a range of quarters (Airflow's reprocess behaviours)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from models.catalog import UnitCatalog
from models.periods import Period, period_range
from models.submission import Status, Submission

REPROCESS = {
    "none": (),
    "failed": (Status.REJECTED,),
    "all": (Status.REJECTED, Status.ACCEPTED, Status.SUPERSEDED),
}


@dataclass(frozen=True)
class Plan:
    """What a backfill over a range would do."""

    quarters: list[str]
    units: list[str]
    reprocess: list[str]  # submission ids to decide again
    pending: list[str]  # submission ids already waiting
    rows: list[dict[str, object]] = field(default_factory=list)  # the plan per quarter


def plan(
    engine: Engine, units: UnitCatalog, start: str, end: str, unit_codes: list[str], reprocess: str
) -> Plan:
    """The quarters, the units and the submissions a backfill touches."""
    if reprocess not in REPROCESS:
        raise ValueError(f"reprocess must be one of {', '.join(REPROCESS)}, not {reprocess!r}")
    first, last = Period.parse(start), Period.parse(end)
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    quarters = [str(p) for p in period_range(first, last)]
    chosen = []
    for code in unit_codes:
        unit = units.find(code)
        if unit is None or unit.level == "province":
            raise ValueError(f"unknown reporting unit {code!r}")
        chosen.append(unit.code)
    with Session(engine) as s:
        q = select(Submission).where(col(Submission.period).in_(quarters))
        if chosen:
            q = q.where(col(Submission.unit_code).in_(chosen))
        subs = s.exec(q.order_by(col(Submission.received_at))).all()
    again = [x.id for x in subs if x.status in REPROCESS[reprocess]]
    waiting = [x.id for x in subs if x.status == Status.RECEIVED]
    rows: list[dict[str, object]] = []
    for quarter in quarters:
        mine = [x for x in subs if x.period == quarter]
        rows.append(
            {
                "quarter": quarter,
                "units": ", ".join(chosen) if chosen else "all",
                "units_with_files": len({x.unit_code for x in mine}),
                "submissions": len(mine),
                "to_decide_again": sum(x.status in REPROCESS[reprocess] for x in mine),
                "already_pending": sum(x.status == Status.RECEIVED for x in mine),
            }
        )
    return Plan(quarters, chosen, again, waiting, rows)


def reopen(engine: Engine, ids: list[str]) -> int:
    """Put submissions back to ``received`` so the next processing decides them again
    (their earlier decisions stay in the ``decision`` table)."""
    if not ids:
        return 0
    with Session(engine) as s:
        result = s.execute(
            update(Submission)
            .where(
                col(Submission.id).in_(ids),
                col(Submission.status).in_([Status.REJECTED, Status.ACCEPTED, Status.SUPERSEDED]),
            )
            .values(status=Status.RECEIVED, supersedes=None)
        )
        s.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]
