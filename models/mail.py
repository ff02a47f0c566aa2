"""The outbox: every mail chiso sends is a row first, then sent from there (contract v4,
section 9)."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel


class MailKind(StrEnum):
    REMINDER = "reminder"  # a unit has not reported a quarter (a reminder day)
    DECISION = "decision"  # a unit's submission was decided
    DIGEST = "digest"  # the officers' list of units still missing after a due date
    RETURNED = "returned"  # an officer sent a unit's accepted submission back


class MailState(StrEnum):
    WAITING = "waiting"  # to send (again)
    SENDING = "sending"  # a run took it; a crash leaves it so, and a later run retakes it
    SENT = "sent"
    FAILED = "failed"  # refused too often: an operator looks at last_error
    DROPPED = "dropped"  # no longer true when its turn came (the unit reported meanwhile)


class Mail(SQLModel, table=True):
    """One mail to one address. ``once`` is unique: the key of what the mail is about
    (``reminder:<account>:<unit>:<quarter>:<day>``, ``decision:<account>:<submission>``,
    ``digest:<account>:<quarter>``, ``returned:<account>:<submission>``), so the database
    itself keeps a mail from being queued twice, on SQLite and PostgreSQL alike."""

    __tablename__ = "mail"

    id: int | None = Field(default=None, primary_key=True)
    once: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=16)
    account_id: int = Field(foreign_key="account.id", index=True)
    recipient: str = Field(max_length=254)
    unit_code: str | None = Field(default=None, max_length=16)
    period: str | None = Field(default=None, max_length=6)
    reminder_day: int | None = None  # days from the due date (-7, 0, 7)
    submission_id: str | None = Field(default=None, max_length=36)
    subject: str = Field(max_length=400)
    text: str
    html: str
    state: str = Field(default=MailState.WAITING, max_length=16, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime
    taken_at: datetime | None = None  # when a run took it to send
    sent_at: datetime | None = None
