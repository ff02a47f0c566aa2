"""A unit's submissions, as its door shows them (another unit's answer as unknown)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from models.account import Role
from models.submission import Status, Submission
from portal.context import Portal
from portal.errors import PortalError
from tasks.accounts.store import Who
from tasks.decide.feedback import feedback_key


def owner(p: Portal, sub: Submission) -> str | None:
    """The reporting unit a submission belongs to: its decided unit, else its folder's."""
    if sub.unit_code:
        return sub.unit_code
    found = p.units.find(sub.path_unit) if sub.path_unit else None
    return found.code if found else None


def visible(p: Portal, who: Who, sid: str) -> Submission:
    """The submission, if this account may see it (404 otherwise, as for an unknown id)."""
    with Session(p.engine) as s:
        sub = s.get(Submission, sid[:64])
    if sub is None or (who.role == Role.UNIT and owner(p, sub) != who.unit_code):
        raise PortalError("not_found")
    return sub


def report(p: Portal, sub: Submission) -> dict[str, Any]:
    """The feedback report once decided (with a withdrawal's reason), else ``received``."""
    if sub.status == Status.RECEIVED:
        return {"submission_id": sub.id, "status": "received"}
    key = feedback_key(sub.path_unit, sub.path_period, sub.id, "json")
    try:
        doc = dict(json.loads(p.store.get(key)))
    except Exception:  # not written yet, or gone: the row still says what happened
        doc = {"submission_id": sub.id, "problems": []}
    doc["status"] = sub.status
    if sub.status == Status.WITHDRAWN:
        doc["withdrawn_reason"] = sub.withdrawn_reason
    return doc


def for_period(p: Portal, unit: str, period: str) -> list[Submission]:
    """The unit's submissions of a quarter, newest first."""
    with Session(p.engine) as s:
        subs = s.exec(
            select(Submission)
            .where(Submission.period == period)
            .order_by(col(Submission.received_at).desc())
        ).all()
        pending = s.exec(
            select(Submission).where(
                Submission.status == Status.RECEIVED, col(Submission.path_period).is_not(None)
            )
        ).all()
    mine = [x for x in subs if owner(p, x) == unit]
    mine += [
        x for x in pending if owner(p, x) == unit and x.path_period == period and x not in mine
    ]
    return mine
