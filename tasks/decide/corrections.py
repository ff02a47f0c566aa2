"""Changes to decided submissions: warnings added later, withdrawals by an officer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from models.problems import Problem
from models.submission import Decision, Status, Submission
from tasks.decide.store import refresh_current


def add_warnings(
    engine: Engine, found: dict[str, list[Problem]]
) -> list[tuple[Submission, list[Problem]]]:
    """Append warnings to decided submissions (each once); the submissions changed, with
    all their problems now."""
    out = []
    with Session(engine) as s:
        for sid, new in found.items():
            sub = s.get(Submission, sid)
            if sub is None:
                continue
            have = [Problem.of(p) for p in sub.problems]
            added = [p for p in new if p not in have]
            if not added:
                continue
            sub.problems = [p.to_dict() for p in [*have, *added]]
            sub.warning_count += len(added)
            s.add(sub)
            out.append((sub, [*have, *added]))
        s.commit()
        for sub, _ in out:
            s.refresh(sub)
            s.expunge(sub)
    return out


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
        if sub.status not in (Status.ACCEPTED, Status.SUPERSEDED):
            raise WithdrawError(f"submission {submission_id} is {sub.status}, not accepted")
        sub.status, sub.withdrawn_reason = Status.WITHDRAWN, reason.strip()
        s.add(sub)
        s.add(
            Decision(
                submission_id=sub.id,
                decided_at=now,
                status=Status.WITHDRAWN,
                problems=[{"code": "withdrawn", "reason": reason.strip()}],
            )
        )
        s.flush()
        if sub.unit_code and sub.period:
            refresh_current(s.connection(), [(sub.unit_code, sub.period, None)])
        s.commit()
        s.refresh(sub)
        return sub
