"""Read what a quarter's publication needs from the database."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from models.publication import IndicatorValue, PublishMark, Snapshot
from models.submission import Decision, EnterpriseRecord, ReportedFigure, Submission
from tasks.completeness import SubmissionFact
from tasks.indicators import Enterprise, UnitReport


def quarter_data(engine: Engine, period: str) -> tuple[dict[str, UnitReport], list[SubmissionFact]]:
    """Current accepted reports per unit, and every decided submission's facts."""
    with Session(engine) as s:
        subs = s.exec(select(Submission).where(Submission.period == period)).all()
        current = {x.id: x for x in subs if x.status == "accepted" and x.unit_code}
        ids = list(current)
        figures = s.exec(
            select(ReportedFigure).where(col(ReportedFigure.submission_id).in_(ids))
        ).all()
        ents = s.exec(
            select(EnterpriseRecord).where(col(EnterpriseRecord.submission_id).in_(ids))
        ).all()
    reports = {
        x.unit_code: UnitReport(x.unit_code, x.id, x.content_sha256, x.received_at, {})
        for x in current.values()
        if x.unit_code
    }
    for f in figures:
        reports[current[f.submission_id].unit_code or ""].figures[f.code] = f.value
    for e in ents:
        unit = current[e.submission_id].unit_code or ""
        reports[unit].enterprises.append(
            Enterprise(
                unit,
                e.tax_code,
                e.enterprise_code,
                e.name,
                e.type,
                e.dx_capable,
                e.status,
                e.established_on,
                e.main_products,
            )
        )
    facts = [
        SubmissionFact(x.id, x.unit_code, period, x.status, x.received_at)
        for x in subs
        if x.unit_code
    ]
    return reports, facts


def latest_snapshot(engine: Engine, period: str) -> Snapshot | None:
    with Session(engine) as s:
        return s.exec(
            select(Snapshot)
            .where(Snapshot.period == period)
            .order_by(col(Snapshot.published_at).desc())
        ).first()


def published_quarters(engine: Engine, year: int) -> list[str]:
    """Quarters of ``year`` that have a published snapshot."""
    with Session(engine) as s:
        rows = s.exec(
            select(Snapshot.period).where(col(Snapshot.period).like(f"{year}Q%")).distinct()
        ).all()
    return sorted(rows)


def indicator_history(engine: Engine) -> list[IndicatorValue]:
    """Every published province value of every quarter (for the trend chart)."""
    with Session(engine) as s:
        return list(
            s.exec(
                select(IndicatorValue).where(
                    IndicatorValue.level == "province", col(IndicatorValue.period).like("%Q%")
                )
            ).all()
        )


def dirty_periods(engine: Engine) -> list[str]:
    """Quarters with a decision newer than their last publication (or never published)."""
    with Session(engine) as s:
        decided = s.exec(
            select(Submission.period, func.max(Decision.decided_at))
            .join(Decision, col(Decision.submission_id) == col(Submission.id))
            .where(col(Submission.period).is_not(None))
            .group_by(col(Submission.period))
        ).all()
        marks = {m.period: m.checked_at for m in s.exec(select(PublishMark)).all()}
    return sorted(p for p, at in decided if p and (p not in marks or at > marks[p]))
