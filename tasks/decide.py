"""Turn validated submissions into decisions: warnings, feedback reports, stored outcomes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from expectations.frames import Item
from expectations.rules import Rules
from models.catalog import UnitCatalog
from models.form import ParsedSubmission
from models.periods import Period
from models.problems import Problem
from models.submission import Submission, decision_key
from tasks import feedback
from tasks.crosscheck import Candidate, cross_frames, load_ledger
from tasks.filesafety import check_size
from tasks.objectstore import ObjectStore, get_all
from tasks.parse import Limits, parse_many, take_ahead
from tasks.store import Outcome, record
from tasks.validate import merge, path_problems, run_suite, to_problems


def read_items(store: ObjectStore, subs: list[Submission], limits: Limits) -> list[Item]:
    """Parse submissions from their archived bytes (an oversized file is never read), or
    take them as parsed ahead from the same bytes while they were collected."""
    too_large = {s.id: p for s in subs if (p := check_size(s.size_bytes, limits.max_file_bytes))}
    parsed = {
        s.id: done
        for s in subs
        if s.id not in too_large
        and (done := take_ahead(s.content_sha256, s.filename, limits)) is not None
    }
    readable = [s for s in subs if s.id not in too_large and s.id not in parsed]
    blobs = get_all(store, [s.object_key for s in readable])
    files = [(s.filename, b) for s, b in zip(readable, blobs, strict=True)]
    parsed |= dict(zip([s.id for s in readable], parse_many(files, limits), strict=True))
    for sub in subs:
        if sub.id in too_large:
            parsed[sub.id] = ParsedSubmission(filename=sub.filename, format=sub.format)
            parsed[sub.id].problems.append(too_large[sub.id])
    return [Item(s.id, parsed[s.id], s.path_unit, s.path_period) for s in subs]


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
        if not errors.get(it.submission_id) and unit and period:
            s = subs[it.submission_id]
            cands.append(Candidate(it, unit, period, decision_key(s)))
    if not cands:
        return {}
    ledger = load_ledger(engine, {c.period for c in cands}, timely_days)
    stocks = {c for c, i in rules.figures.items() if i.kind == "stock"}
    frames = cross_frames(cands, ledger, stocks, timely_days)
    suites = {
        "late": cross.late_expectations(),
        "stock": cross.stock_expectations(),
        "shared": cross.shared_code_expectations(),
    }
    return merge(*(to_problems(frames[n], run_suite(n, frames[n], e)) for n, e in suites.items()))


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
        sub, found = subs[item.submission_id], problems.get(item.submission_id, [])
        status = "rejected" if any(p.severity == "error" for p in found) else "accepted"
        unit, period = identity(item, units)
        doc = feedback.report(
            sub.model_copy(update={"unit_code": unit, "period": period}), status, found, now
        )
        key = feedback.feedback_key(sub.path_unit, sub.path_period, sub.id, "json")
        reports.append((key, feedback.to_json(doc), "application/json"))
        reports.append((key[:-4] + "html", feedback.to_html(doc), "text/html; charset=utf-8"))
        parsed = item.parsed if status == "accepted" else None
        outcomes.append(Outcome(sub.id, status, found, unit, period, parsed, now, key))
    store.put_many(reports)
    return record(engine, outcomes)


def all_problems(
    items: list[Item], content_errors: dict[str, list[Problem]]
) -> dict[str, list[Problem]]:
    """Content errors plus the path-layout error of files outside ``<unit>/<period>/``."""
    layout = {it.submission_id: found for it in items if (found := path_problems(it))}
    return merge(layout, content_errors)
