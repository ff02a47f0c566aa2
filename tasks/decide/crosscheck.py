"""Cross-submission warnings, decided in order against what is accepted so far.

The ledger starts from the database (current accepted submissions around the batch's
periods) and takes in each batch member as it is decided, so the warnings are those a
one-by-one decision in ``received_at`` order would give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from expectations.frames import Item
from models.periods import Period, local_day_end_utc
from models.problems import Code, Problem, problem
from models.submission import DECISION_ORDER, EnterpriseRecord, ReportedFigure, Status, Submission
from tasks.intake.times import arrival

Key = tuple[str, str]  # (unit_code, period)


Attrs = tuple[str | None, str | None, bool]  # an enterprise's status, type, dx_capable


@dataclass
class Accepted:
    """What the ledger knows of one accepted submission."""

    order: tuple[datetime, str, str]  # received_at, source_uri, sha: "current" = max
    unit: str
    figures: dict[str, int]
    enterprises: dict[str, Attrs]  # by 10-digit code (the first row of a code counts)
    submission_id: str = ""


def _attrs_text(a: Attrs) -> str:
    return f"{a[0]}, {a[1]}, dx_capable={'yes' if a[2] else 'no'}"


@dataclass
class Ledger:
    current: dict[Key, Accepted] = field(default_factory=dict)
    on_time: set[Key] = field(default_factory=set)
    # period -> enterprise code -> units whose current submission lists it
    listed: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def take(self, key: Key, acc: Accepted, was_on_time: bool) -> None:
        old = self.current.get(key)
        if old is None or acc.order > old.order:
            self.current[key] = acc
            index = self.listed.setdefault(key[1], {})
            for code in old.enterprises if old else ():
                index.get(code, set()).discard(key[0])
            for code in acc.enterprises:
                index.setdefault(code, set()).add(key[0])
        if was_on_time:
            self.on_time.add(key)

    def other_units(self, period: str, unit: str, enterprise_code: str) -> list[str]:
        """Other units whose current submission for ``period`` lists the enterprise."""
        return sorted(self.listed.get(period, {}).get(enterprise_code, set()) - {unit})

    def conflict(self, period: str, unit: str, code: str, mine: Attrs) -> Accepted | None:
        """The current submission of the first other unit that lists the enterprise with
        other attributes (the province counts the lowest unit code's: one unit can lower
        another's count)."""
        for other in self.other_units(period, unit, code):
            acc = self.current[(other, period)]
            if acc.enterprises.get(code, mine) != mine:
                return acc
        return None


def load_ledger(engine: Engine, periods: set[str], timely_days: int) -> Ledger:
    """Current accepted submissions of ``periods`` and of the quarters before them."""
    wanted = periods | {str(Period.parse(p).previous()) for p in periods}
    ledger = Ledger()
    t = Submission.__table__  # type: ignore[attr-defined]
    fig, ent = ReportedFigure.__table__, EnterpriseRecord.__table__  # type: ignore[attr-defined]
    chosen = t.c.period.in_(wanted) & t.c.status.in_([Status.ACCEPTED, Status.SUPERSEDED])
    figs: dict[str, dict[str, int]] = {}
    ents: dict[str, dict[str, Attrs]] = {}
    with engine.connect() as conn:
        subs = conn.execute(
            select(
                t.c.id, t.c.unit_code, t.c.period, t.c.status, t.c.seen_after, *t.c[DECISION_ORDER]
            ).where(chosen)
        ).all()
        for sid, code, value in conn.execute(
            select(fig.c.submission_id, fig.c.code, fig.c.value).join(t).where(chosen)
        ):
            figs.setdefault(sid, {})[code] = value
        for sid, code, status, kind, dx in conn.execute(
            select(
                ent.c.submission_id,
                ent.c.enterprise_code,
                ent.c.status,
                ent.c.type,
                ent.c.dx_capable,
            )
            .join(t)
            .where(chosen)
            .order_by(ent.c.submission_id, ent.c.row)
        ):
            ents.setdefault(sid, {}).setdefault(code, (status, kind, bool(dx)))
    dues: dict[str, datetime] = {}
    for sid, unit, period, status, seen_after, received, uri, sha in subs:
        if period not in dues:
            dues[period] = local_day_end_utc(Period.parse(period).due_date(timely_days))
        acc = Accepted((received, uri, sha), unit, figs.get(sid, {}), ents.get(sid, {}), sid)
        if status == Status.ACCEPTED:
            ledger.take((unit, period), acc, False)
        if arrival(received, seen_after) < dues[period]:
            ledger.on_time.add((unit, period))
    return ledger


@dataclass
class Candidate:
    """A batch member with no errors: it will be accepted."""

    item: Item
    unit: str
    period: str
    order: tuple[datetime, str, str]
    arrived: datetime | None = None  # its earliest arrival (tasks.intake.times.arrival)


def cross_frames(
    cands: list[Candidate], ledger: Ledger, stocks: set[str], timely_days: int
) -> tuple[dict[str, pd.DataFrame], dict[str, list[Problem]]]:
    """Walk the candidates in decision order; frames of what each is compared with, and
    the warning each earlier submission gets when a later one lists one of its enterprises
    with other attributes (both are told; the later one through the frame)."""
    late, stock, shared = [], [], []
    earlier: dict[str, list[Problem]] = {}
    for c in sorted(cands, key=lambda c: c.order):
        key = (c.unit, c.period)
        due_day = Period.parse(c.period).due_date(timely_days)
        due = local_day_end_utc(due_day)
        received = c.arrived or c.order[0]
        if key not in ledger.on_time:
            late.append(
                {
                    "submission_id": c.item.submission_id,
                    "row": 0,
                    "received": received.timestamp(),
                    "due_end": due.timestamp(),
                    "received_text": received.isoformat(),
                    "due_text": due_day.isoformat(),
                }
            )
        stock += _stock_rows(c, ledger, stocks)
        attrs: dict[str, Attrs] = {}
        shared += _shared_rows(c, ledger, attrs, earlier)
        figures = {f.code: f.value for f in c.item.parsed.figures if f.value is not None}
        accepted = Accepted(c.order, c.unit, figures, attrs, c.item.submission_id)
        ledger.take(key, accepted, received < due)
    frames = {
        "late": pd.DataFrame(late),
        "stock": pd.DataFrame(stock),
        "shared": pd.DataFrame(shared),
    }
    return frames, earlier


def _stock_rows(c: Candidate, ledger: Ledger, stocks: set[str]) -> list[dict[str, Any]]:
    """Each stock figure of ``c`` beside the unit's accepted figure of the quarter before."""
    prev = ledger.current.get((c.unit, str(Period.parse(c.period).previous())))
    rows = []
    for n, f in enumerate(c.item.parsed.figures, start=1):
        before = prev.figures.get(f.code) if prev else None
        if f.code in stocks and f.value is not None and before:
            rows.append(
                {
                    "submission_id": c.item.submission_id,
                    "row": n,
                    "sheet_row": f.row,
                    "code": f.code,
                    "change": abs(f.value - before) / before,
                    "value_text": str(f.value),
                    "previous_text": str(before),
                }
            )
    return rows


def _shared_rows(
    c: Candidate, ledger: Ledger, attrs: dict[str, Attrs], earlier: dict[str, list[Problem]]
) -> list[dict[str, Any]]:
    """Each enterprise of ``c`` with the other unit that lists it, and the unit that lists
    it with other attributes (that unit's submission is told too, in ``earlier``); fills
    ``attrs`` with ``c``'s own attributes of each enterprise."""
    rows = []
    for n, e in enumerate(c.item.parsed.enterprises, start=1):
        mine = attrs.setdefault(e.enterprise_code, (e.status, e.type, bool(e.dx_capable)))
        hits = ledger.other_units(c.period, c.unit, e.enterprise_code)
        other = ledger.conflict(c.period, c.unit, e.enterprise_code, mine) if hits else None
        theirs = other.enterprises[e.enterprise_code] if other else None
        rows.append(
            {
                "submission_id": c.item.submission_id,
                "row": n,
                "sheet_row": e.row,
                "tax_code": e.tax_code,
                "other_unit": hits[0] if hits else None,
                "conflict_unit": other.unit if other else None,
                "conflict_text": f"as unit {other.unit} reports it: {_attrs_text(theirs)}"
                if other and theirs
                else None,
            }
        )
        if other and theirs:
            earlier.setdefault(other.submission_id, []).append(
                problem(
                    Code.TAX_CODE_CONFLICT,
                    sheet="enterprises",
                    field="tax_code",
                    value=e.tax_code,
                    expected=f"as unit {c.unit} reports it: {_attrs_text(mine)}",
                )
            )
    return rows
