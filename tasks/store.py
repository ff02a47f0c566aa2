"""Record decisions: one database transaction per submission, supersede by ``received_at``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from models.db import upsert
from models.form import ParsedSubmission
from models.problems import Problem
from models.submission import Decision, EnterpriseRecord, ReportedFigure, Submission


@dataclass
class Outcome:
    """What was decided about one submission."""

    submission_id: str
    status: str  # accepted | rejected
    problems: list[Problem]
    unit_code: str | None
    period: str | None
    parsed: ParsedSubmission | None
    decided_at: datetime
    feedback_key: str | None = None


def pending(engine: Engine, limit: int | None = None, offset: int = 0) -> list[Submission]:
    """Submissions received and not yet decided, oldest first."""
    with Session(engine) as s:
        q = (
            select(Submission)
            .where(Submission.status == "received")
            .order_by(
                col(Submission.received_at),
                col(Submission.source_uri),
                col(Submission.content_sha256),
            )
        )
        return list(s.exec(q.offset(offset).limit(limit) if limit else q).all())


def _content_rows(o: Outcome) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    assert o.parsed is not None
    figures = [
        {"submission_id": o.submission_id, "code": f.code, "value": f.value, "note": f.note}
        for f in o.parsed.figures
        if f.value is not None
    ]
    ents = [
        {
            "submission_id": o.submission_id,
            "tax_code": e.tax_code,
            "enterprise_code": e.enterprise_code,
            "name": e.name,
            "type": e.type,
            "dx_capable": bool(e.dx_capable),
            "established_on": e.established_on,
            "status": e.status,
            "main_products": e.main_products,
            "row": e.row,
        }
        for e in o.parsed.enterprises
    ]
    return figures, ents


def refresh_current(s: Session, unit: str, period: str, new_id: str | None = None) -> None:
    """Make the accepted submission with the latest ``received_at`` current; others superseded.

    ``new_id`` is the submission just accepted: when it becomes current it records which
    one it superseded.
    """
    rows = s.exec(
        select(Submission)
        .where(
            Submission.unit_code == unit,
            Submission.period == period,
            col(Submission.status).in_(["accepted", "superseded"]),
        )
        .order_by(
            col(Submission.received_at).desc(),
            col(Submission.source_uri).desc(),
            col(Submission.content_sha256).desc(),
        )
    ).all()
    if not rows:
        return
    current = rows[0]
    if current.id == new_id:
        previous = next((r for r in rows[1:] if r.status == "accepted"), None)
        current.supersedes = previous.id if previous else None
    current.status = "accepted"
    for r in rows[1:]:
        r.status = "superseded"
    s.add_all(rows)


def record(engine: Engine, o: Outcome) -> bool:
    """Store one decision atomically; ``False`` (and nothing stored) when already decided."""
    errors = sum(p.severity == "error" for p in o.problems)
    problems = [p.to_dict() for p in o.problems]
    with Session(engine) as s:
        claimed = s.execute(
            update(Submission)
            .where(col(Submission.id) == o.submission_id, col(Submission.status) == "received")
            .values(
                status=o.status,
                decided_at=o.decided_at,
                unit_code=o.unit_code,
                period=o.period,
                error_count=errors,
                warning_count=len(o.problems) - errors,
                problems=problems,
            )
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            s.rollback()
            return False
        s.add(
            Decision(
                submission_id=o.submission_id,
                decided_at=o.decided_at,
                status=o.status,
                error_count=errors,
                warning_count=len(o.problems) - errors,
                problems=problems,
                feedback_key=o.feedback_key,
            )
        )
        if o.status == "accepted" and o.unit_code and o.period:
            figures, ents = _content_rows(o)
            upsert(s, ReportedFigure, figures, ["submission_id", "code"])
            upsert(s, EnterpriseRecord, ents, ["submission_id", "tax_code"])
            s.flush()
            refresh_current(s, o.unit_code, o.period, o.submission_id)
        s.commit()
    return True


class WithdrawError(ValueError):
    """A withdrawal that cannot be done (unknown id, not accepted)."""


def withdraw(engine: Engine, submission_id: str, reason: str, now: datetime) -> Submission:
    """Void an accepted submission (its rows and history stay); the next one becomes current."""
    if not reason.strip():
        raise WithdrawError("a reason is required")
    with Session(engine) as s:
        sub = s.get(Submission, submission_id)
        if sub is None:
            raise WithdrawError(f"no submission {submission_id!r}")
        if sub.status not in ("accepted", "superseded"):
            raise WithdrawError(f"submission {submission_id} is {sub.status}, not accepted")
        sub.status, sub.withdrawn_reason = "withdrawn", reason.strip()
        s.add(sub)
        s.add(
            Decision(
                submission_id=sub.id,
                decided_at=now,
                status="withdrawn",
                problems=[{"code": "withdrawn", "reason": reason.strip()}],
            )
        )
        s.flush()
        if sub.unit_code and sub.period:
            refresh_current(s, sub.unit_code, sub.period)
        s.commit()
        s.refresh(sub)
        return sub
