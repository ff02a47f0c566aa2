"""Record decisions: one database transaction per batch, supersede by ``received_at``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from sqlmodel import Session, col
from sqlmodel import select as select_model

from models.db import insert_rows
from models.form import ParsedSubmission
from models.problems import Problem, Severity
from models.submission import (
    DECISION_ORDER,
    Decision,
    EnterpriseRecord,
    ReportedFigure,
    Status,
    Submission,
)


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
    internal: str | None = None  # the traceback of a failure in chiso (for the operator)
    counts: tuple[int, int] | None = None  # errors and warnings, when ``problems`` is capped

    @property
    def error_count(self) -> int:
        return (
            self.counts[0]
            if self.counts
            else sum(p.severity == Severity.ERROR for p in self.problems)
        )

    @property
    def warning_count(self) -> int:
        return self.counts[1] if self.counts else len(self.problems) - self.error_count


def pending(engine: Engine, limit: int | None = None, offset: int = 0) -> list[Submission]:
    """Submissions received and not yet decided, oldest first."""
    with Session(engine) as s:
        q = (
            select_model(Submission)
            .where(Submission.status == Status.RECEIVED)
            .order_by(*(col(getattr(Submission, c)) for c in DECISION_ORDER))
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


Change = tuple[str, str, str | None]  # (unit_code, period, the submission just accepted)
Row = dict[str, Any]


def _decided_rows(
    conn: Connection, changes: list[Change]
) -> tuple[dict[str, tuple[str, str | None]], dict[tuple[str, str], list[Row]], dict[str, Row]]:
    """The accepted and superseded submissions of the changes' (unit, period) pairs: each
    one's status and link as stored, the pairs' rows (the changes' own submissions apart,
    by id, to be taken in one by one)."""
    t = Submission.__table__  # type: ignore[attr-defined]
    keys = {(u, p) for u, p, _ in changes}
    units, periods = {u for u, _ in keys}, {p for _, p in keys}
    q = select(
        t.c.id, t.c.unit_code, t.c.period, t.c.status, t.c.supersedes, *t.c[DECISION_ORDER]
    ).where(t.c.period.in_(periods), t.c.status.in_([Status.ACCEPTED, Status.SUPERSEDED]))
    if len(units) <= 500:
        q = q.where(t.c.unit_code.in_(units))
    incoming = {sid for _, _, sid in changes if sid}
    before: dict[str, tuple[str, str | None]] = {}
    groups: dict[tuple[str, str], list[Row]] = {}
    arriving: dict[str, Row] = {}
    for found in conn.execute(q).mappings():
        if (found["unit_code"], found["period"]) not in keys:
            continue
        row = dict(found) | {"order": tuple(found[c] for c in DECISION_ORDER)}
        before[row["id"]] = (row["status"], row["supersedes"])
        if row["id"] in incoming:
            arriving[row["id"]] = row
        else:
            groups.setdefault((row["unit_code"], row["period"]), []).append(row)
    return before, groups, arriving


def refresh_current(conn: Connection, changes: list[Change]) -> None:
    """Make the accepted submission with the latest ``received_at`` current, the others of
    its (unit, period) superseded, applying ``changes`` one after another in their order.

    A change's third element is the submission just accepted (``None`` for a withdrawal):
    when it becomes current it records which one it superseded. The submissions named by
    the changes are taken in one by one, so a batch gives the same ``supersedes`` links as
    deciding its members one at a time.
    """
    if not changes:
        return
    t = Submission.__table__  # type: ignore[attr-defined]
    before, groups, arriving = _decided_rows(conn, changes)
    for unit, period, new_id in changes:
        group = groups.setdefault((unit, period), [])
        if new_id in arriving:
            group.append(arriving.pop(new_id))
        if not group:
            continue
        group.sort(key=lambda r: r["order"], reverse=True)
        current = group[0]
        if current["id"] == new_id:
            previous = next((r for r in group[1:] if r["status"] == Status.ACCEPTED), None)
            current["supersedes"] = previous["id"] if previous else None
        current["status"] = Status.ACCEPTED
        for r in group[1:]:
            r["status"] = Status.SUPERSEDED
    changed = [
        {"b_id": r["id"], "b_status": r["status"], "b_supersedes": r["supersedes"]}
        for group in groups.values()
        for r in group
        if before[r["id"]] != (r["status"], r["supersedes"])
    ]
    if changed:
        conn.execute(
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status"), supersedes=bindparam("b_supersedes")),
            changed,
        )


class _Raced(Exception):
    """Another run decided one of the submissions first (rolls the transaction back)."""


def _store(conn: Connection, outcomes: list[Outcome]) -> None:
    t = Submission.__table__  # type: ignore[attr-defined]
    decided = []
    for o in outcomes:
        decided.append(
            {
                "submission_id": o.submission_id,
                "status": o.status,
                "decided_at": o.decided_at,
                "unit_code": o.unit_code,
                "period": o.period,
                "error_count": o.error_count,
                "warning_count": o.warning_count,
                "problems": [p.to_dict() for p in o.problems],
                "feedback_key": o.feedback_key,
            }
        )
    columns = ("status", "decided_at", "unit_code", "period", "error_count", "warning_count")
    claimed = conn.execute(
        update(t)
        .where(t.c.id == bindparam("b_id"), t.c.status == Status.RECEIVED)
        .values({c: bindparam(f"b_{c}", type_=t.c[c].type) for c in (*columns, "problems")}),
        [
            {"b_id": d["submission_id"], **{f"b_{c}": d[c] for c in (*columns, "problems")}}
            for d in decided
        ],
    )
    if claimed.rowcount != len(outcomes):
        raise _Raced
    kept = ("submission_id", "decided_at", "status", "error_count", "warning_count")
    conn.execute(
        insert(Decision.__table__),  # type: ignore[attr-defined]
        [{k: d[k] for k in (*kept, "problems", "feedback_key")} for d in decided],
    )
    accepted = [o for o in outcomes if o.status == Status.ACCEPTED and o.unit_code and o.period]
    figures: list[dict[str, Any]] = []
    ents: list[dict[str, Any]] = []
    for o in accepted:
        f, e = _content_rows(o)
        figures += f
        ents += e
    _content(conn, [o.submission_id for o in accepted], figures, ents)
    refresh_current(conn, [(o.unit_code or "", o.period or "", o.submission_id) for o in accepted])


def _content(
    conn: Connection, ids: list[str], figures: list[dict[str, Any]], ents: list[dict[str, Any]]
) -> None:
    """The figures and roster rows of the accepted submissions ``ids``, replacing any a
    reprocessed submission had: deleted, then inserted in bulk (``COPY`` on PostgreSQL,
    where an upsert of a national batch's 80,000 rows took 3.4 s)."""
    tables = (ReportedFigure.__table__, EnterpriseRecord.__table__)  # type: ignore[attr-defined]
    for table, rows in zip(tables, (figures, ents), strict=True):
        for start in range(0, len(ids), 1000):  # within every database's parameter limit
            chunk = ids[start : start + 1000]
            conn.execute(delete(table).where(table.c.submission_id.in_(chunk)))
        insert_rows(conn, table, rows)


def record(engine: Engine, outcomes: list[Outcome]) -> list[Outcome]:
    """Store decisions, given in decision order, in one transaction; the ones stored.

    When another run decided any of them first, nothing of the batch is kept and each is
    stored in its own transaction instead, so the others still land (a rare race: the
    claims keep runs apart).
    """
    if not outcomes:
        return []
    try:
        with engine.begin() as conn:
            _store(conn, outcomes)
        return outcomes
    except _Raced:
        if len(outcomes) == 1:
            return []
    return [o for o in outcomes if record(engine, [o])]
