"""Which mails are due (contract v4, section 9), as drafts for the outbox. Who has
reported is asked of the one completeness function (``completeness.quarter_rows``), as
``chiso status``, the report and the portal ask it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.catalog import Unit, UnitCatalog
from models.mail import MailKind
from models.periods import Period, local_day_end_utc
from tasks.events.contract import Decided
from tasks.mail import compose
from tasks.mail.address import addressed, recipients, sent_for
from tasks.mail.compose import Links
from tasks.mail.outbox import Draft
from tasks.publish import completeness, queries

LOOK_BACK, LOOK_AHEAD = 60, 30  # days around today within which due dates are looked at
REPORTED = ("on_time", "late")


def quarters_around(today: date, timely_days: int) -> list[Period]:
    """The quarters whose due date lies between 60 days before and 30 days after today."""
    lo, hi = today - timedelta(days=LOOK_BACK), today + timedelta(days=LOOK_AHEAD)
    p = Period.containing(lo - timedelta(days=timely_days + 92))
    out = []
    while p.first_day <= hi:
        if lo <= p.due_date(timely_days) <= hi:
            out.append(p)
        p = p.next()
    return out


def standing(
    engine: Engine, units: UnitCatalog, p: Period, today: date, timely_days: int
) -> list[dict[str, Any]]:
    """Each expected unit's completeness row for ``p`` as of the end of ``today``: only
    submissions received by then count (a simulated ``--today`` sees the past as it was)."""
    end = local_day_end_utc(today)
    facts = [f for f in queries.submission_facts(engine, str(p)) if f.received_at <= end]
    return completeness.quarter_rows(p, units.expected(p), facts, timely_days, end)


def latest_day(due: date, days: list[int], today: date) -> int | None:
    """The latest reminder day that has come by ``today`` (earlier ones that passed unsent
    are not sent late)."""
    passed = [d for d in days if due + timedelta(days=d) <= today]
    return max(passed) if passed else None


def reminders(
    engine: Engine,
    units: UnitCatalog,
    links: Links,
    today: date,
    days: list[int],
    timely_days: int,
) -> list[Draft]:
    """A reminder for each account of each unit that has not reported a quarter, for the
    latest of that quarter's reminder days that has come."""
    drafts = []
    for p in quarters_around(today, timely_days):
        due = p.due_date(timely_days)
        day = latest_day(due, days, today)
        if day is None:
            continue
        rows = [
            r for r in standing(engine, units, p, today, timely_days) if r["status"] not in REPORTED
        ]
        to = recipients(engine, [r["unit_code"] for r in rows])
        for r in rows:
            for who in to.get(r["unit_code"], []):
                w = compose.reminder(
                    links, r["unit_code"], r["unit_name"], str(p), due, day, r["rejected_count"]
                )
                drafts.append(
                    addressed(
                        MailKind.REMINDER,
                        f"{r['unit_code']}:{p}:{day}",
                        who,
                        w,
                        unit_code=r["unit_code"],
                        period=str(p),
                        reminder_day=day,
                    )
                )
    return drafts


def digests(
    engine: Engine,
    units: UnitCatalog,
    links: Links,
    today: date,
    timely_days: int,
    groups: Any,
) -> list[Draft]:
    """The officers' list of units still missing, once per quarter, from the day after its
    due date; ``groups(period)`` gives the territories (as ``chiso status`` shows them)."""
    officers = recipients(engine, None).get(None, [])
    if not officers:
        return []
    drafts = []
    for p in quarters_around(today, timely_days):
        due = p.due_date(timely_days)
        if today <= due:
            continue
        rows = standing(engine, units, p, today, timely_days)
        missing = {r["unit_code"] for r in rows if r["status"] not in REPORTED}
        with_account = set(recipients(engine, sorted(missing)))
        listed = []
        for level, _code, name, members in groups(p):
            if level != "territory":
                continue
            mine = [
                {"code": u.code, "name": u.name, "account": u.code in with_account}
                for u in members
                if u.code in missing
            ]
            if mine:
                listed.append({"name": name, "units": mine})
        placed = {u["code"] for g in listed for u in g["units"]}
        if rest := [r for r in rows if r["unit_code"] in missing - placed]:
            listed.append(
                {
                    "name": "Chưa xếp vùng (no territory)",
                    "units": [
                        {
                            "code": r["unit_code"],
                            "name": r["unit_name"],
                            "account": r["unit_code"] in with_account,
                        }
                        for r in rest
                    ],
                }
            )
        w = compose.digest(links, str(p), due, len(rows), listed)
        drafts += [addressed(MailKind.DIGEST, str(p), who, w, period=str(p)) for who in officers]
    return drafts


def decisions(
    engine: Engine, units: UnitCatalog, links: Links, decided: list[Decided]
) -> list[Draft]:
    """A mail per decided submission to the accounts of the unit it was sent for (its
    folder's unit: a file naming another unit tells that unit nothing)."""
    from models.submission import Submission

    if not decided:
        return []
    ids = [d.submission_id for d in decided]
    sent: dict[str, tuple[Unit, str, str]] = {}
    with Session(engine) as s:
        for i in range(0, len(ids), 1000):
            rows = s.exec(
                select(
                    Submission.id, Submission.path_unit, Submission.path_period, Submission.filename
                ).where(col(Submission.id).in_(ids[i : i + 1000]))
            )
            for sid, path_unit, path_period, name in rows:
                if unit := sent_for(units, path_unit):
                    sent[sid] = (unit, path_period or "", name)
    to = recipients(engine, {u.code for u, _, _ in sent.values()})
    drafts = []
    for d in decided:
        if d.submission_id not in sent:
            continue
        unit, path_period, name = sent[d.submission_id]
        accounts = to.get(unit.code, [])
        if not accounts:
            continue
        period = d.period or path_period
        w = compose.decision(
            links,
            unit.code,
            unit.name,
            period,
            d.submission_id,
            name,
            d.status,
            d.errors,
            d.warnings,
        )
        drafts += [
            addressed(
                MailKind.DECISION,
                d.submission_id,
                who,
                w,
                unit_code=unit.code,
                period=period if Period.try_parse(period) else None,
                submission_id=d.submission_id,
            )
            for who in accounts
        ]
    return drafts


def still_due(engine: Engine, units: UnitCatalog, today: date, timely_days: int) -> Any:
    """``mail -> bool`` for the sender: a reminder is dropped when its unit has reported
    the quarter meanwhile (by the end of ``today``); other mails are always due. Each
    quarter's completeness is read once per run."""
    from models.mail import Mail

    seen: dict[str, set[str]] = {}

    def due(mail: Mail) -> bool:
        if mail.kind != MailKind.REMINDER or not mail.period:
            return True
        if mail.period not in seen:
            rows = standing(engine, units, Period.parse(mail.period), today, timely_days)
            seen[mail.period] = {r["unit_code"] for r in rows if r["status"] in REPORTED}
        return mail.unit_code not in seen[mail.period]

    return due


def returned_mail(
    engine: Engine, units: UnitCatalog, links: Links, sid: str, reason: str
) -> list[Draft]:
    """The mail to a unit's accounts when an officer sent its submission back."""
    from models.submission import Submission

    with Session(engine) as s:
        sub = s.get(Submission, sid)
    if sub is None:
        return []
    unit = sent_for(units, sub.path_unit)
    if unit is None:
        return []
    period = sub.period or sub.path_period or ""
    w = compose.returned(links, unit.code, unit.name, period, sid, sub.filename, reason)
    return [
        addressed(
            MailKind.RETURNED,
            sid,
            who,
            w,
            unit_code=unit.code,
            period=sub.period,
            submission_id=sid,
        )
        for who in recipients(engine, [unit.code]).get(unit.code, [])
    ]
