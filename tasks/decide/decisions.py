"""Turn validated submissions into decisions: warnings, feedback reports, stored outcomes."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from expectations.frames import Item
from expectations.rules import Rules
from models.catalog import UnitCatalog
from models.codes import INTAKE_CODES
from models.periods import Period
from models.problems import Code, Problem, Severity, cap_per_code, counts_by_code, problem
from models.submission import Status, Submission, decision_key
from tasks.decide import feedback
from tasks.decide.corrections import add_warnings
from tasks.decide.crosscheck import Candidate, cross_frames, load_ledger
from tasks.decide.store import Outcome, record
from tasks.decide.validate import merge, path_problems, run_suite, to_problems, validate_content
from tasks.intake.times import arrival
from tasks.objects.store import ObjectStore

log = logging.getLogger(__name__)


def identity(item: Item, units: UnitCatalog) -> tuple[str | None, str | None]:
    """The unit and quarter a submission counts for: the path's (a unit reports only for
    itself, in its own folder), else the content's."""
    info = item.parsed.info
    unit = units.find(item.path_unit or info.get("unit_code") or "")
    period = Period.try_parse(item.path_period or info.get("period") or "")
    return (unit.code if unit else None), (str(period) if period else None)


def warnings(
    engine: Engine,
    items: list[Item],
    subs: dict[str, Submission],
    errors: dict[str, list[Problem]],
    units: UnitCatalog,
    rules: Rules,
    timely_days: int,
) -> dict[str, list[Problem]]:
    """Cross-submission warnings for the members of the batch that will be accepted."""
    from expectations import cross

    cands = []
    for it in items:
        unit, period = identity(it, units)
        failed = any(p.severity == Severity.ERROR for p in errors.get(it.submission_id, []))
        if not failed and unit and period:
            s = subs[it.submission_id]
            cands.append(
                Candidate(it, unit, period, decision_key(s), arrival(s.received_at, s.seen_after))
            )
    if not cands:
        return {}
    ledger = load_ledger(engine, {c.period for c in cands}, timely_days)
    stocks = {c for c, i in rules.figures.items() if i.kind == "stock"}
    frames, earlier = cross_frames(cands, ledger, stocks, timely_days)
    suites = {
        "late": cross.late_expectations(),
        "stock": cross.stock_expectations(),
        "shared": cross.shared_code_expectations(),
    }
    found = [to_problems(frames[n], run_suite(n, frames[n], e)) for n, e in suites.items()]
    return merge(*found, earlier)  # ``earlier`` may name submissions decided before


def find_problems(
    engine: Engine,
    items: list[Item],
    subs: dict[str, Submission],
    units: UnitCatalog,
    rules: Rules,
    timely_days: int,
) -> dict[str, list[Problem]]:
    """What intake found, errors (GX suites on the whole batch), then warnings across
    submissions."""
    errors = all_problems(items, validate_content(items, rules))
    found = warnings(engine, items, subs, errors, units, rules, timely_days)
    return merge(at_intake(items, subs), errors, found)


def at_intake(items: list[Item], subs: dict[str, Submission]) -> dict[str, list[Problem]]:
    """The problems recorded when each file was collected (its time adjusted)."""
    out: dict[str, list[Problem]] = {}
    for it in items:
        kept = [p for p in subs[it.submission_id].problems or [] if p.get("code") in INTAKE_CODES]
        if kept:
            out[it.submission_id] = [Problem.of(p) for p in kept]
    return out


def decide_apart(
    engine: Engine,
    store: ObjectStore,
    items: list[Item],
    subs: dict[str, Submission],
    units: UnitCatalog,
    rules: Rules,
    timely_days: int,
) -> list[Outcome]:
    """Validate and decide ``items`` (in decision order); when that fails, each half apart,
    down to the submission that fails alone, which is rejected with ``internal_error``
    (its traceback kept for the operator): one file never stops the others. A failure
    that also stops recording that rejection (the database is gone) is raised."""
    try:
        found = find_problems(engine, items, subs, units, rules, timely_days)
        return decide(engine, store, items, subs, found, units)
    except Exception as exc:
        if len(items) > 1:
            mid = len(items) // 2
            return [
                *decide_apart(engine, store, items[:mid], subs, units, rules, timely_days),
                *decide_apart(engine, store, items[mid:], subs, units, rules, timely_days),
            ]
        trace, kind = traceback.format_exc(), type(exc).__name__
    log.error("submission %s failed to be decided:\n%s", items[0].submission_id, trace)
    item = items[0]
    item.parsed.internal = trace
    failed = problem(Code.INTERNAL_ERROR, value=kind)
    return decide(engine, store, [item], subs, {item.submission_id: [failed]}, units)


def in_order(items: list[Item], subs: dict[str, Submission]) -> list[Item]:
    """Decision order (``models.submission.DECISION_ORDER``)."""
    return sorted(items, key=lambda it: decision_key(subs[it.submission_id]))


def decide(
    engine: Engine,
    store: ObjectStore,
    items: list[Item],
    subs: dict[str, Submission],
    problems: dict[str, list[Problem]],
    units: UnitCatalog,
) -> list[Outcome]:
    """Write every feedback report, then record the decisions in decision order (one
    transaction); the outcomes stored (not those another run decided first)."""
    now = datetime.now(UTC)
    outcomes, reports = [], []
    for item in in_order(items, subs):
        sub, every = subs[item.submission_id], problems.get(item.submission_id, [])
        j = judge(item, sub, every, units, now)
        key, files = feedback.objects(sub, j.report)
        reports += files
        parsed = item.parsed if j.status == Status.ACCEPTED else None
        outcome = Outcome(sub.id, j.status, j.shown, j.unit, j.period, parsed, now, key)
        outcome.internal = item.parsed.internal
        outcome.counts = (j.errors, len(every) - j.errors)
        outcomes.append(outcome)
    store.put_many(reports)
    stored = record(engine, outcomes)
    here = {it.submission_id for it in items}
    decided_before = {sid: found for sid, found in problems.items() if sid not in here}
    if decided_before:
        flag_decided(engine, store, decided_before, units)
    return stored


@dataclass(frozen=True)
class Judged:
    """What one file's problems make of it: its status, its unit and quarter, the
    problems shown (the first of each code) and its feedback report."""

    status: Status
    errors: int
    unit: str | None
    period: str | None
    shown: list[Problem]
    report: dict[str, Any]


def judge(
    item: Item, sub: Submission, every: list[Problem], units: UnitCatalog, now: datetime
) -> Judged:
    """The decision a file's problems give, and its feedback report (the one judgement a
    sent file and a checked one get)."""
    errors = sum(p.severity == Severity.ERROR for p in every)
    status = Status.REJECTED if errors else Status.ACCEPTED
    unit, period = identity(item, units)
    shown = cap_per_code(every)
    doc = feedback.report(
        sub.model_copy(update={"unit_code": unit, "period": period}),
        status,
        shown,
        now,
        counts_by_code(every),
        unit_name(units, unit),
    )
    return Judged(status, errors, unit, period, shown, doc)


def unit_name(units: UnitCatalog, code: str | None) -> str | None:
    found = units.find(code) if code else None
    return found.name if found else None


def flag_decided(
    engine: Engine, store: ObjectStore, found: dict[str, list[Problem]], units: UnitCatalog
) -> None:
    """Add warnings to submissions decided before (a later one conflicts with them): their
    stored problems and their feedback report say so too."""
    now = datetime.now(UTC)
    reports = []
    for sub, problems in add_warnings(engine, found):
        doc = feedback.report(
            sub,
            Status.ACCEPTED,
            problems,
            sub.decided_at or now,
            None,
            unit_name(units, sub.unit_code),
        )
        reports += feedback.objects(sub, doc)[1]
    store.put_many(reports)


def all_problems(
    items: list[Item], content_errors: dict[str, list[Problem]]
) -> dict[str, list[Problem]]:
    """Content errors plus the path-layout error of files outside ``<unit>/<period>/``."""
    layout = {it.submission_id: found for it in items if (found := path_problems(it))}
    return merge(layout, content_errors)
