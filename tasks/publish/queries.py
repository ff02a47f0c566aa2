"""Read what a quarter's publication needs from the database."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select
from sqlmodel import Session, col, func
from sqlmodel import select as select_model

from models.catalog import UnitCatalog
from models.periods import Period
from models.publication import IndicatorValue, PublishMark, Snapshot
from models.submission import Decision, EnterpriseRecord, ReportedFigure, Status, Submission
from tasks.intake.times import arrival
from tasks.publish.completeness import SubmissionFact
from tasks.publish.indicators import Enterprise, UnitReport


def submission_facts(engine: Engine, period: str) -> list[SubmissionFact]:
    """Every placed submission of the quarter: its unit, status and time of receipt."""
    t = Submission.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.c.id, t.c.unit_code, t.c.status, t.c.received_at, t.c.seen_after).where(
                t.c.period == period, t.c.unit_code.is_not(None)
            )
        ).all()
    return [
        SubmissionFact(sid, unit, period, status, at, arrival(at, seen))
        for sid, unit, status, at, seen in rows
    ]


def quarter_data(engine: Engine, period: str) -> tuple[dict[str, UnitReport], list[SubmissionFact]]:
    """Current accepted reports per unit, and every decided submission's facts."""
    t = Submission.__table__  # type: ignore[attr-defined]
    fig, ent = ReportedFigure.__table__, EnterpriseRecord.__table__  # type: ignore[attr-defined]
    current = (t.c.period == period) & (t.c.status == Status.ACCEPTED) & t.c.unit_code.is_not(None)
    reports: dict[str, UnitReport] = {}
    units: dict[str, str] = {}
    with engine.connect() as conn:
        for sid, unit, sha, at in conn.execute(
            select(t.c.id, t.c.unit_code, t.c.content_sha256, t.c.received_at).where(current)
        ):
            reports[unit] = UnitReport(unit, sid, sha, at, {})
            units[sid] = unit
        for sid, code, value in conn.execute(
            select(fig.c.submission_id, fig.c.code, fig.c.value).join(t).where(current)
        ):
            reports[units[sid]].figures[code] = value
        for sid, *cols in conn.execute(
            select(
                ent.c.submission_id,
                ent.c.tax_code,
                ent.c.enterprise_code,
                ent.c.name,
                ent.c.type,
                ent.c.dx_capable,
                ent.c.status,
                ent.c.established_on,
                ent.c.main_products,
            )
            .join(t)
            .where(current)
            .order_by(ent.c.submission_id, ent.c.row, ent.c.tax_code)
        ):
            reports[units[sid]].enterprises.append(Enterprise(units[sid], *cols))
    return reports, submission_facts(engine, period)


def published_quarters(engine: Engine, year: int) -> list[str]:
    """Quarters of ``year`` that have a published snapshot."""
    with Session(engine) as s:
        rows = s.exec(
            select_model(Snapshot.period).where(col(Snapshot.period).like(f"{year}Q%")).distinct()
        ).all()
    return sorted(rows)


def indicator_history(engine: Engine) -> list[IndicatorValue]:
    """Every published province and territory value of every quarter (the trend chart)."""
    with Session(engine) as s:
        return list(
            s.exec(
                select_model(IndicatorValue).where(
                    col(IndicatorValue.level).in_(("province", "territory")),
                    col(IndicatorValue.period).like("%Q%"),
                )
            ).all()
        )


def dirty_periods(engine: Engine, units: UnitCatalog, today: date) -> list[str]:
    """Publishable quarters (:meth:`UnitCatalog.publishable`) with a decision newer than
    their last publication (or never published)."""
    with Session(engine) as s:
        decided = s.exec(
            select_model(Submission.period, func.max(Decision.decided_at))
            .join(Decision, col(Decision.submission_id) == col(Submission.id))
            .where(col(Submission.period).is_not(None))
            .group_by(col(Submission.period))
        ).all()
        marks = {m.period: m.checked_at for m in s.exec(select_model(PublishMark)).all()}
    return sorted(
        p
        for p, at in decided
        if p
        and (p not in marks or at > marks[p])
        and (q := Period.try_parse(p)) is not None
        and units.publishable(q, today)
    )
