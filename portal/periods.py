"""A unit's periods as its door shows them: due date, status, current and rejected files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select

from models.catalog import Unit, UnitCatalog
from models.periods import Period, local_today
from models.submission import Status, Submission
from tasks.intake.http import open_periods
from tasks.intake.times import arrival
from tasks.publish.completeness import SubmissionFact, unit_status

SOON = timedelta(days=30)


@dataclass(frozen=True)
class UnitPeriod:
    """One quarter a unit is expected to report for."""

    period: str
    due: date
    status: str  # on_time | late | missing | pending | not_due
    current_submission_id: str | None
    rejected: int

    def as_json(self) -> dict[str, object]:
        return {
            "period": self.period,
            "due": self.due.isoformat(),
            "status": self.status,
            "current_submission_id": self.current_submission_id,
            "rejected": self.rejected,
        }


def shown_periods(unit: Unit, open_days: int, timely_days: int, now: datetime) -> list[Period]:
    """The quarters the unit is expected to report for that are open (ended within
    ``open_days``: :func:`~tasks.intake.http.open_periods`) or due within the next 30
    days, newest first."""
    today = local_today(now)
    current = Period.containing(today)
    soon = [current] if current.due_date(timely_days) - today <= SOON else []
    periods = soon + sorted(open_periods(today, open_days), reverse=True)
    return [p for p in periods if unit.valid_on(p.last_day)]


def unit_periods(
    engine: Engine, units: UnitCatalog, code: str, open_days: int, timely_days: int
) -> list[UnitPeriod]:
    """The periods of :func:`shown_periods` with their state, from the database."""
    unit = units.get(code)
    if unit is None:
        return []
    now = datetime.now(UTC)
    periods = shown_periods(unit, open_days, timely_days, now)
    if not periods:
        return []
    t = Submission.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.c.id, t.c.period, t.c.status, t.c.received_at, t.c.seen_after).where(
                t.c.unit_code == code, t.c.period.in_([str(p) for p in periods])
            )
        ).all()
    out = []
    for p in periods:
        facts = [
            SubmissionFact(sid, code, str(p), status, at, arrival(at, seen))
            for sid, period, status, at, seen in rows
            if period == str(p)
        ]
        if p.is_future(now):
            status, current = "not_due", None
        else:
            status, fact = unit_status(p, facts, timely_days, now)
            current = fact.id if fact else None
        if current is None:
            current = next((f.id for f in facts if f.status == Status.ACCEPTED), None)
        rejected = sum(f.status == Status.REJECTED for f in facts)
        out.append(UnitPeriod(str(p), p.due_date(timely_days), status, current, rejected))
    return out


def may_send(unit: Unit, text: str, now: datetime | None = None) -> Period:
    """The quarter a unit may send for: well-formed, ended, and one the unit is valid
    on the last day of (contract section 1); else ``ValueError`` saying which."""
    period = Period.try_parse(text)
    if period is None:
        raise ValueError(f"not a quarter: {text[:40]!r} (YYYYQn, e.g. 2025Q3)")
    if period.is_future(now):
        raise ValueError(f"{period} has not ended yet")
    if not unit.valid_on(period.last_day):
        raise ValueError(f"unit {unit.code} does not report for {period}")
    return period
