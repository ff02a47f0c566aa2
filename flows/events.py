"""The Prefect events chiso emits (names, resources and payloads of the contract, section 7)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prefect.events import emit_event

from tasks.collect import Registered
from tasks.store import Outcome


def _resource(kind: str, ident: str, **labels: str | None) -> dict[str, str]:
    res = {"prefect.resource.id": f"chiso.{kind}.{ident}"}
    res |= {f"chiso.{k}": v for k, v in labels.items() if v}
    return res


def submissions_received(registered: Iterable[Registered]) -> int:
    """One ``chiso.submission.received`` per new submission."""
    n = 0
    for r in registered:
        if r.new:
            emit_event(
                "chiso.submission.received",
                resource=_resource("submission", r.submission_id, unit=r.unit, period=r.period),
                payload={"submission_id": r.submission_id},
            )
            n += 1
    return n


def submissions_decided(outcomes: list[Outcome]) -> dict[str, list[str]]:
    """``chiso.submission.accepted|rejected`` per submission, then one
    ``chiso.period.updated`` per affected period; the affected periods."""
    periods: dict[str, list[str]] = {}
    for o in outcomes:
        payload: dict[str, Any] = {
            "submission_id": o.submission_id,
            "errors": sum(p.severity == "error" for p in o.problems),
            "warnings": sum(p.severity == "warning" for p in o.problems),
        }
        emit_event(
            f"chiso.submission.{o.status}",
            resource=_resource("submission", o.submission_id, unit=o.unit_code, period=o.period),
            payload=payload,
        )
        if o.period:
            periods.setdefault(o.period, []).append(o.submission_id)
    for period, ids in sorted(periods.items()):
        emit_event(
            "chiso.period.updated",
            resource=_resource("period", period, period=period),
            payload={"period": period, "submission_ids": ids},
        )
    return periods
