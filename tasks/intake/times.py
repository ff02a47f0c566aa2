"""The times a source reports, made trustworthy at the edge.

A file's time is the unit's to set (``touch``, a copy tool, a far-future time kept by tmpfs,
btrfs, NFS or SMB): chiso keeps it, as the contract's ``received_at``, only within
[1970-01-01, the time of collection]. Outside it (or not a time ``datetime`` can hold) the
time of collection stands in, and the unit's feedback says so
(``received_time_adjusted``). The time of chiso's previous look at the source bounds
when a new file can have arrived (:func:`arrival`): a file first seen now was not there
then, whatever its time says.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def within(moment: datetime, now: datetime) -> tuple[datetime, str | None]:
    """``moment`` (aware) if it lies in [1970, ``now``], else ``now``; with the time the
    source stated, as text, when it was replaced."""
    if EPOCH <= moment <= now:
        return moment, None
    return now, moment.isoformat()


def from_timestamp(seconds: float, now: datetime) -> tuple[datetime, str | None]:
    """A file system's time (seconds since 1970) as :func:`within` keeps it; a time no
    ``datetime`` can hold (year 33658, NaN) is replaced too."""
    if not math.isfinite(seconds):
        return now, str(seconds)
    try:
        moment = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return now, f"{seconds:.0f} s after 1970-01-01"
    return within(moment, now)


def arrival(received_at: datetime, seen_after: datetime | None) -> datetime:
    """When a file can have arrived at the earliest, for timeliness: its time, or the start
    of chiso's previous look at its source if the file was not there then (a late file
    with a time set back before the due date is still late)."""
    if seen_after is not None and seen_after > received_at:
        return seen_after
    return received_at
