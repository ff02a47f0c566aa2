"""Decide, without Prefect or GX, whether a run has anything to do (a cheap pre-check)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from models.catalog import UnitCatalog
from models.db import current_revision
from models.periods import local_today
from models.submission import Status, Submission
from tasks.intake.collect import Known
from tasks.intake.sources import Skipped, Source
from tasks.publish.queries import dirty_periods


def nothing_to_do(
    engine: Engine, units: UnitCatalog, sources: Iterable[Source], max_bytes: int
) -> bool:
    """True when every source file is known, nothing is pending and nothing is unpublished
    (False when that cannot be told: the run will say why)."""
    try:
        if current_revision(engine) is None:
            return False
        with Session(engine) as s:
            pending = s.exec(
                select(func.count())
                .select_from(Submission)
                .where(Submission.status == Status.RECEIVED)
            ).one()
        if pending or dirty_periods(engine, units, local_today()):
            return False
        known = Known(engine)
        for src in sources:
            for entry in src.scan():
                # an entry that cannot be read is worth a full run: its summary says so
                if isinstance(entry, Skipped) or not known.match(entry, max_bytes).known:
                    return False
        return True
    except OSError:
        return False
