"""The units' door: accounts, their invitations, page sessions and failed sign-ins."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel


class Role(StrEnum):
    """A unit account sends and sees for its one unit; an officer sees every unit."""

    UNIT = "unit"
    OFFICER = "officer"


class Account(SQLModel, table=True):
    """A person (or a unit's system) who signs in to the portal or calls its API."""

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # lower-cased
    role: str = Field(max_length=16)
    unit_code: str | None = Field(default=None, max_length=16, index=True)
    name: str | None = Field(default=None, max_length=200)
    password_hash: str | None = None  # Argon2id PHC string; None until the invitation is used
    token_hash: str | None = Field(default=None, max_length=64, index=True)  # sha256 hex
    enabled: bool = True
    created_at: datetime


class Invitation(SQLModel, table=True):
    """A one-time link where the account's person sets a password (valid 7 days)."""

    __tablename__ = "invitation"

    token_hash: str = Field(primary_key=True, max_length=64)  # sha256 hex of the link's token
    account_id: int = Field(foreign_key="account.id", index=True)
    expires_at: datetime
    used_at: datetime | None = None


class PortalSession(SQLModel, table=True):
    """A signed-in page session: its cookie's sha256, its CSRF token, its last use."""

    __tablename__ = "portal_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="account.id", index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime
    last_seen_at: datetime


class SignInFailure(SQLModel, table=True):
    """A failed sign-in for an address (the lockout counts them)."""

    __tablename__ = "sign_in_failure"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    at: datetime
