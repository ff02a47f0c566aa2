"""Signing in: the lockout of an address, and page sessions (8 hours without use).

Five failed sign-ins for an address within 15 minutes lock it for 15 minutes from the
fifth; during the lock every attempt, a right password too, is refused (HTTP 429) and not
recorded, so it does not extend the lock (contract section 8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from models.account import Account, PortalSession, SignInFailure
from tasks.accounts.secrets import new_token, password_ok, token_hash
from tasks.accounts.store import Who, normal_email

FAILURES, WINDOW, LOCK = 5, timedelta(minutes=15), timedelta(minutes=15)
IDLE = timedelta(hours=8)
TOUCH_EVERY = timedelta(minutes=1)  # a session's last use is written at most this often


def locked_until(failures: list[datetime]) -> datetime | None:
    """When the lock that the failures (in time order) set ends, or None: each run of
    :data:`FAILURES` failures within :data:`WINDOW` locks from the last of them."""
    window: list[datetime] = []
    end: datetime | None = None
    for at in failures:
        if end is not None and at < end:
            continue  # not recorded by chiso; a hand-made row does not extend the lock
        window = [w for w in window if at - w < WINDOW] + [at]
        if len(window) >= FAILURES:
            end, window = at + LOCK, []
    return end


class Locked(Exception):
    """The address is locked until ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


@dataclass(frozen=True)
class Signed:
    """A new page session: the cookie's value and the session's CSRF token."""

    session_id: str
    csrf: str
    who: Who


def sign_in(
    engine: Engine, email: str, password: str, now: datetime | None = None
) -> Signed | None:
    """A new session for the right password of an enabled account; None for a failure
    (recorded); :class:`Locked` while the address is locked."""
    now = now or datetime.now(UTC)
    try:
        email = normal_email(email)
    except ValueError:
        email = email.strip().lower()[:254]
    with Session(engine) as s:
        since = now - WINDOW - LOCK
        rows = s.exec(
            select(SignInFailure.at)
            .where(SignInFailure.email == email, col(SignInFailure.at) > since)
            .order_by(col(SignInFailure.at))
        ).all()
        end = locked_until(list(rows))
        if end is not None and now < end:
            raise Locked(end)
        account = s.exec(select(Account).where(Account.email == email)).first()
        good = password_ok(account.password_hash if account else None, password)
        if not (good and account and account.enabled):
            s.add(
                SignInFailure(email=email, at=now)
            )  # the fifth is a failure; the sixth meets the lock
            s.commit()
            return None
        session_id, csrf = new_token(), new_token()
        assert account.id is not None
        s.add(
            PortalSession(
                id_hash=token_hash(session_id),
                account_id=account.id,
                csrf=csrf,
                created_at=now,
                last_seen_at=now,
            )
        )
        s.commit()
        return Signed(session_id, csrf, Who.of(account))


def session(engine: Engine, session_id: str, now: datetime | None = None) -> tuple[Who, str] | None:
    """The account and CSRF token of a live session (used within 8 hours, its account
    enabled); its last use noted. None for anything else (the stale row is removed)."""
    now = now or datetime.now(UTC)
    with Session(engine) as s:
        row = s.get(PortalSession, token_hash(session_id))
        if row is None:
            return None
        account = s.get(Account, row.account_id)
        if account is None or not account.enabled or now - row.last_seen_at > IDLE:
            s.delete(row)
            s.commit()
            return None
        if now - row.last_seen_at > TOUCH_EVERY:
            row.last_seen_at = now
            s.add(row)
            s.commit()
        return Who.of(account), row.csrf


def sign_out(engine: Engine, session_id: str) -> None:
    with Session(engine) as s:
        s.exec(delete(PortalSession).where(col(PortalSession.id_hash) == token_hash(session_id)))
        s.commit()
