"""The events chiso emits: names, resources and payloads of the contract (section 7)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from models.catalog import UnitCatalog
from models.periods import Period
from tasks.decide.store import Outcome
from tasks.intake.collect import Registered

Event = dict[str, Any]


def resource(kind: str, ident: str, **labels: str | None) -> dict[str, str]:
    """The event's resource: ``chiso.<kind>.<ident>`` with its labels (empty ones left out)."""
    res = {"prefect.resource.id": f"chiso.{kind}.{ident}"}
    res |= {f"chiso.{k}": v for k, v in labels.items() if v}
    return res


def event(name: str, res: dict[str, str], payload: dict[str, Any], at: str) -> Event:
    """One event as the API's ``POST /events`` takes it (related resources added on posting)."""
    return {
        "id": str(uuid.uuid4()),
        "occurred": at,
        "event": name,
        "resource": res,
        "payload": payload,
    }


def _now() -> str:
    return datetime.now(UTC).isoformat()


def labels(units: UnitCatalog, unit: str | None, period: str | None) -> dict[str, str | None]:
    """An event's unit and period labels as the catalog and the calendar know them, never
    the raw path (a folder name of any bytes, which no JSON encoder takes): a path that
    names no reporting unit or no quarter gives no label."""
    found = units.find(unit) if unit else None
    quarter = Period.try_parse(period) if period else None
    return {"unit": found.code if found else None, "period": str(quarter) if quarter else None}


BATCH_EVENT = 1000  # submissions named by one event at most (contract v4, section 7)


def _periods_related(periods: Iterable[str | None]) -> list[dict[str, str]]:
    """The batch's periods, each a related resource of role ``period``."""
    return [
        {"prefect.resource.id": f"chiso.period.{p}", "prefect.resource.role": "period"}
        for p in sorted({p for p in periods if p})
    ]


def batch_event(name: str, members: list[Any], payload: dict[str, Any], at: str) -> Event:
    """One event for a batch: resource ``chiso.batch.<uuid>``, its periods related."""
    found = event(name, {"prefect.resource.id": f"chiso.batch.{uuid.uuid4()}"}, payload, at)
    found["related"] = _periods_related(m.period for m in members)
    return found


def received(registered: Iterable[Registered], units: UnitCatalog) -> list[Event]:
    """One ``chiso.submissions.received`` per batch of at most :data:`BATCH_EVENT` new
    submissions; each named with its unit and period as the catalog and the calendar know
    them (never the raw path)."""
    at = _now()
    new = [_Named(r.submission_id, **labels(units, r.unit, r.period)) for r in registered if r.new]
    out = []
    for start in range(0, len(new), BATCH_EVENT):
        part = new[start : start + BATCH_EVENT]
        payload = {"submissions": [{"id": n.id, "unit": n.unit, "period": n.period} for n in part]}
        out.append(batch_event("chiso.submissions.received", part, payload, at))
    return out


class _Named(NamedTuple):
    id: str
    unit: str | None
    period: str | None


class Decided(NamedTuple):
    """What a run keeps of each decision for its events: not the problems' texts (a
    backfill decides tens of thousands, each with its problems in two languages)."""

    submission_id: str
    status: str
    unit_code: str | None
    period: str | None
    errors: int
    warnings: int

    @classmethod
    def of(cls, o: Outcome) -> Decided:
        return cls(o.submission_id, o.status, o.unit_code, o.period, o.error_count, o.warning_count)


def decided(decisions: Iterable[Decided]) -> list[Event]:
    """One ``chiso.submissions.decided`` per batch of at most :data:`BATCH_EVENT`
    decisions: ``{"accepted": [ids], "rejected": [ids]}``, their periods related."""
    at = _now()
    done = list(decisions)
    out = []
    for start in range(0, len(done), BATCH_EVENT):
        part = done[start : start + BATCH_EVENT]
        payload = {
            "accepted": [d.submission_id for d in part if d.status == "accepted"],
            "rejected": [d.submission_id for d in part if d.status == "rejected"],
        }
        out.append(batch_event("chiso.submissions.decided", part, payload, at))
    return out


def touched(decisions: Iterable[Decided]) -> dict[str, list[str]]:
    """The periods the decisions touched, each with its submissions, in period order."""
    periods: dict[str, list[str]] = {}
    for d in decisions:
        if d.period:
            periods.setdefault(d.period, []).append(d.submission_id)
    return dict(sorted(periods.items()))


def periods_updated(periods: dict[str, list[str]]) -> list[Event]:
    """One ``chiso.period.updated`` per period (sent after every decision's own event)."""
    at = _now()
    return [
        event(
            "chiso.period.updated",
            resource("period", period, period=period),
            {"period": period, "submission_ids": ids},
            at,
        )
        for period, ids in periods.items()
    ]
