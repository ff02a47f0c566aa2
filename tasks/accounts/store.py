"""Accounts in chiso's database: add, invite, set a password, issue a token, disable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from models.account import Account, Invitation, PortalSession, Role
from models.catalog import UnitCatalog
from tasks.accounts.secrets import MIN_PASSWORD, hash_password, new_token, token_hash

INVITATION_DAYS = 7


class AccountError(ValueError):
    """A request about accounts that cannot be done (said to the person as it is)."""


@dataclass(frozen=True)
class Who:
    """An authenticated account, as every door sees it."""

    id: int
    email: str
    role: str
    unit_code: str | None
    name: str | None

    @classmethod
    def of(cls, a: Account) -> Who:
        assert a.id is not None
        return cls(a.id, a.email, a.role, a.unit_code, a.name)


def normal_email(email: str) -> str:
    text = email.strip().lower()
    if "@" not in text or len(text) > 254 or any(c.isspace() for c in text):
        raise AccountError(f"not an e-mail address: {email!r}")
    return text


def add_account(
    engine: Engine, units: UnitCatalog, email: str, unit: str | None, name: str | None
) -> tuple[Who, str]:
    """A unit account (bound to a reporting unit of the catalog, any era) or, with no
    unit, an officer; its one-time invitation token."""
    email = normal_email(email)
    code = None
    if unit is not None:
        found = units.find(unit)
        if found is None or found.level == "province":
            raise AccountError(f"unknown reporting unit {unit!r}")
        code = found.code
    with Session(engine) as s:
        if s.exec(select(Account).where(Account.email == email)).first():
            raise AccountError(f"an account for {email} exists already")
        account = Account(
            email=email,
            role=Role.UNIT if code else Role.OFFICER,
            unit_code=code,
            name=name,
            created_at=datetime.now(UTC),
        )
        s.add(account)
        s.commit()
        s.refresh(account)
        who = Who.of(account)
    return who, invite(engine, email)


def invite(engine: Engine, email: str) -> str:
    """A new invitation for the account (earlier unused ones stay valid until they end)."""
    token = new_token()
    with Session(engine) as s:
        account = _account(s, email)
        assert account.id is not None
        expires = datetime.now(UTC) + timedelta(days=INVITATION_DAYS)
        s.add(Invitation(token_hash=token_hash(token), account_id=account.id, expires_at=expires))
        s.commit()
    return token


def _usable(s: Session, token: str, now: datetime) -> tuple[Invitation, Account] | None:
    """An unused, unexpired invitation and its enabled account (else None)."""
    inv = s.get(Invitation, token_hash(token))
    if inv is None or inv.used_at is not None or inv.expires_at <= now:
        return None
    account = s.get(Account, inv.account_id)
    return (inv, account) if account and account.enabled else None


def invitation(engine: Engine, token: str) -> Who | None:
    """The account an unused, unexpired invitation is for (else None)."""
    with Session(engine) as s:
        found = _usable(s, token, datetime.now(UTC))
        return Who.of(found[1]) if found else None


def accept_invitation(engine: Engine, token: str, password: str) -> Who:
    """Set the account's password through its invitation, which is then used up."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    with Session(engine) as s:
        now = datetime.now(UTC)
        found = _usable(s, token, now)
        if found is None:
            raise AccountError("this invitation is unknown, used or expired")
        inv, account = found
        inv.used_at = now
        account.password_hash = hash_password(password)
        s.add_all([inv, account])
        s.commit()
        return Who.of(account)


def issue_token(engine: Engine, email: str) -> str:
    """A new API token for the account (the old one stops working)."""
    token = new_token("chiso_")
    with Session(engine) as s:
        account = _account(s, email)
        account.token_hash = token_hash(token)
        s.add(account)
        s.commit()
    return token


def disable(engine: Engine, email: str) -> None:
    """Disable the account: its sessions end and its token stops working at once."""
    with Session(engine) as s:
        account = _account(s, email)
        account.enabled = False
        account.token_hash = None
        s.add(account)
        s.exec(delete(PortalSession).where(col(PortalSession.account_id) == account.id))
        s.commit()


def accounts(engine: Engine) -> list[Account]:
    with Session(engine) as s:
        return list(s.exec(select(Account).order_by(col(Account.email))).all())


def by_token(engine: Engine, token: str) -> Who | None:
    """The enabled account whose API token this is."""
    with Session(engine) as s:
        found = s.exec(
            select(Account).where(
                Account.token_hash == token_hash(token), col(Account.enabled).is_(True)
            )
        ).first()
        return Who.of(found) if found else None


def _account(s: Session, email: str) -> Account:
    found = s.exec(select(Account).where(Account.email == normal_email(email))).first()
    if found is None:
        raise AccountError(f"no account for {email}")
    return found
