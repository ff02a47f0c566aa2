"""Submissions, their decisions, and the figures and enterprises they carried."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Status(StrEnum):
    """A submission's state (contract section 4): received, then accepted or rejected; an
    accepted one later superseded or withdrawn."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class Submission(SQLModel, table=True):
    """One received file: identified by its source path and content hash."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("source_uri", "content_sha256"),)

    id: str = Field(primary_key=True, max_length=32)
    source_uri: str
    source_etag: str | None = None  # the source's version tag (S3 ETag), to skip known objects
    content_sha256: str = Field(max_length=64, index=True)
    filename: str
    format: str = Field(max_length=8)  # xlsx | json | other
    size_bytes: int
    object_key: str
    path_unit: str | None = Field(default=None, max_length=32)
    path_period: str | None = Field(default=None, max_length=16)
    unit_code: str | None = Field(default=None, max_length=16, index=True)
    period: str | None = Field(default=None, max_length=8, index=True)
    received_at: datetime  # the source's own timestamp (aware, UTC), at most collected_at
    collected_at: datetime
    # the start of chiso's previous look at the source, when this file was not there: it
    # arrived after then, whatever its time says (timeliness: tasks.intake.times.arrival)
    seen_after: datetime | None = None
    status: str = Field(default=Status.RECEIVED, max_length=16, index=True)
    decided_at: datetime | None = None
    supersedes: str | None = Field(default=None, max_length=32)
    withdrawn_reason: str | None = None
    error_count: int = 0
    warning_count: int = 0
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))


class SourceScan(SQLModel, table=True):
    """When chiso last finished looking at a source (from when that look began)."""

    __tablename__ = "source_scan"

    source_key: str = Field(primary_key=True, max_length=64)  # sha256 of the source's URI
    scanned_at: datetime


# the order submissions are decided in, and of "latest": the current one is the maximum
DECISION_ORDER = ("received_at", "source_uri", "content_sha256")


def decision_key(sub: Submission) -> tuple[Any, ...]:
    """A submission's place in :data:`DECISION_ORDER` (read from that list, so the two can
    never disagree)."""
    return tuple(getattr(sub, c) for c in DECISION_ORDER)


class Decision(SQLModel, table=True):
    """Every decision ever taken on a submission (a reprocess adds one, keeps the old)."""

    __tablename__ = "decision"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: str = Field(foreign_key="submission.id", index=True, max_length=32)
    decided_at: datetime
    status: str = Field(max_length=16)
    error_count: int = 0
    warning_count: int = 0
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    feedback_key: str | None = None


class ReportedFigure(SQLModel, table=True):
    """One figure of an accepted submission."""

    __tablename__ = "reported_figure"

    submission_id: str = Field(foreign_key="submission.id", primary_key=True, max_length=32)
    code: str = Field(primary_key=True, max_length=40)
    value: int
    note: str | None = None


class EnterpriseRecord(SQLModel, table=True):
    """One roster row of an accepted submission."""

    __tablename__ = "enterprise_record"

    submission_id: str = Field(foreign_key="submission.id", primary_key=True, max_length=32)
    tax_code: str = Field(primary_key=True, max_length=14)
    enterprise_code: str = Field(max_length=10, index=True)  # the 10-digit code
    name: str
    type: str = Field(max_length=24)
    dx_capable: bool = False
    established_on: date | None = None
    status: str = Field(max_length=16)
    main_products: str | None = None
    row: int = 0
