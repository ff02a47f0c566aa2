"""The outbox: mails are queued as rows (at most once per ``once`` key, by the database's
unique index), taken to send, and marked sent or put back.

Delivery is *at least once*: a mail is marked sent only after the mail server accepted
it, so a crash between the two sends it again on a later run (twice at most for each such
crash), and never loses it. A run takes a mail by moving it from ``waiting`` to
``sending`` in one conditional update, so two runs never send the same mail at once; a
mail a crashed run left ``sending`` is taken again once ``STALE`` has passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, or_, update
from sqlmodel import Session, col, select

from models.db import upsert
from models.mail import Mail, MailState

STALE = timedelta(minutes=10)  # a mail left ``sending`` this long was a crashed run's
MAX_ATTEMPTS = 20  # refusals before a mail is ``failed`` (an operator looks at it)


@dataclass(frozen=True)
class Draft:
    """A mail to queue: its ``once`` key, who, what about, and its rendered text."""

    once: str
    kind: str
    account_id: int
    recipient: str
    subject: str
    text: str
    html: str
    unit_code: str | None = None
    period: str | None = None
    reminder_day: int | None = None
    submission_id: str | None = None


def queue(engine: Engine, drafts: Sequence[Draft], now: datetime | None = None) -> int:
    """Queue the drafts whose ``once`` key is new; the number queued."""
    if not drafts:
        return 0
    now = now or datetime.now(UTC)
    rows: list[dict[str, Any]] = [
        {**d.__dict__, "state": MailState.WAITING, "attempts": 0, "created_at": now} for d in drafts
    ]
    with Session(engine) as s:
        before = s.exec(select(func.count()).select_from(Mail)).one()
        for i in range(0, len(rows), 1000):
            upsert(s, Mail, rows[i : i + 1000], keys=["once"], update=[])
        after = s.exec(select(func.count()).select_from(Mail)).one()
        s.commit()
    return int(after - before)


def known(engine: Engine, keys: Sequence[str]) -> set[str]:
    """The ``once`` keys among ``keys`` already in the outbox (in any state)."""
    out: set[str] = set()
    with Session(engine) as s:
        for i in range(0, len(keys), 1000):
            out |= set(s.exec(select(Mail.once).where(col(Mail.once).in_(keys[i : i + 1000]))))
    return out


def _to_send(now: datetime) -> Any:
    """Waiting, or left ``sending`` by a run that crashed."""
    return or_(
        col(Mail.state) == MailState.WAITING,
        and_(col(Mail.state) == MailState.SENDING, col(Mail.taken_at) < now - STALE),
    )


def sendable(engine: Engine, now: datetime, after: int = 0, limit: int = 500) -> list[int]:
    """Ids (over ``after``, in order) of mails to send now: waiting, or left ``sending``
    by a run that crashed."""
    with Session(engine) as s:
        found = s.exec(
            select(Mail)
            .where(_to_send(now), col(Mail.id) > after)
            .order_by(col(Mail.id))
            .limit(limit)
        )
        return [m.id for m in found if m.id is not None]


def take(engine: Engine, mail_id: int, now: datetime) -> Mail | None:
    """The mail, taken for this run (``sending``); None when another run took it."""
    with Session(engine) as s:
        done = s.execute(
            update(Mail)
            .where(col(Mail.id) == mail_id, _to_send(now))
            .values(state=MailState.SENDING, taken_at=now)
        )
        s.commit()
        if done.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return s.get(Mail, mail_id)


def mark(engine: Engine, mail_id: int, state: str, error: str | None = None) -> None:
    """After a try: ``sent``, ``dropped``, or back to ``waiting`` with the error (``failed``
    after ``MAX_ATTEMPTS``); a put-back that was not a try (the run ran out of time) passes
    ``state=waiting`` and no error."""
    now = datetime.now(UTC)
    with Session(engine) as s:
        mail = s.get(Mail, mail_id)
        if mail is None:
            return
        if state == MailState.SENT:
            mail.sent_at = now
        if error is not None:
            mail.attempts += 1
            mail.last_error = error[:1000]
            if state == MailState.WAITING and mail.attempts >= MAX_ATTEMPTS:
                state = MailState.FAILED
        mail.state = state
        s.add(mail)
        s.commit()


def counts(engine: Engine) -> dict[str, int]:
    """Mails per state."""
    with Session(engine) as s:
        rows = s.exec(select(Mail.state, func.count()).group_by(col(Mail.state))).all()
    return {str(k): int(v) for k, v in rows}


def rows_of(engine: Engine, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The mails ``ids`` as a table: kind, recipient, unit, quarter, day, state, error."""
    out = []
    with Session(engine) as s:
        for i in range(0, len(ids), 1000):
            for m in s.exec(select(Mail).where(col(Mail.id).in_(list(ids[i : i + 1000])))):
                out.append(
                    {
                        "kind": m.kind,
                        "to": m.recipient,
                        "unit": m.unit_code or "",
                        "period": m.period or "",
                        "day": "" if m.reminder_day is None else m.reminder_day,
                        "state": m.state,
                        "attempts": m.attempts,
                        "error": m.last_error or "",
                    }
                )
    return out
