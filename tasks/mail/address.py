"""Who a mail goes to: the enabled accounts of a unit, or the officers; the unit a file
was sent for; a written mail addressed to one account as a draft for the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.account import Account, Role
from models.catalog import Unit, UnitCatalog
from models.mail import MailKind
from tasks.mail.compose import Written
from tasks.mail.outbox import Draft


@dataclass(frozen=True)
class Recipient:
    account_id: int
    email: str
    unit_code: str | None


def addressed(kind: MailKind, key: str, who: Recipient, w: Written, **about: Any) -> Draft:
    """``w`` to ``who``, queued at most once under ``<kind>:<account>:<key>``."""
    return Draft(
        once=f"{kind}:{who.account_id}:{key}",
        kind=kind,
        account_id=who.account_id,
        recipient=who.email,
        subject=w.subject,
        text=w.text,
        html=w.html,
        **about,
    )


def sent_for(units: UnitCatalog, path_unit: str | None) -> Unit | None:
    """The reporting unit a file was sent for: its folder's (a file naming another unit
    tells that unit nothing)."""
    unit = units.find(path_unit)
    return unit if unit is not None and unit.level != "province" else None


def recipients(engine: Engine, units: Iterable[str] | None) -> dict[str | None, list[Recipient]]:
    """Enabled accounts: unit accounts of ``units`` by unit code, or (``units`` None) the
    officers under the key ``None``."""
    with Session(engine) as s:
        q = select(Account).where(col(Account.enabled).is_(True))
        if units is None:
            q = q.where(Account.role == Role.OFFICER)
        else:
            q = q.where(Account.role == Role.UNIT, col(Account.unit_code).in_(list(units)))
        out: dict[str | None, list[Recipient]] = {}
        for a in s.exec(q.order_by(col(Account.id))):
            assert a.id is not None
            out.setdefault(a.unit_code, []).append(Recipient(a.id, a.email, a.unit_code))
    return out
