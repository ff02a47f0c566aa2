"""Decide, without Prefect or GX, whether a run has anything to do (a cheap pre-check)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from models.submission import Status


def nothing_to_do(settings: Any) -> bool:
    """True when every source file is known, nothing is pending and nothing is unpublished."""
    from flows.resources import Resources
    from models.db import current_revision
    from models.periods import local_today
    from models.submission import Submission
    from tasks.intake.collect import Known
    from tasks.intake.sources import Skipped
    from tasks.publish.queries import dirty_periods

    res = Resources(settings)
    try:
        if current_revision(res.engine) is None:
            return False
        with Session(res.engine) as s:
            pending = s.exec(
                select(func.count())
                .select_from(Submission)
                .where(Submission.status == Status.RECEIVED)
            ).one()
        if pending or dirty_periods(res.engine, res.units, local_today()):
            return False
        known = Known(res.engine)
        max_bytes = res.settings.max_file_bytes
        for src in res.sources():
            for entry in src.scan():
                # an entry that cannot be read is worth a full run: its summary says so
                if isinstance(entry, Skipped) or not known.match(entry, max_bytes).known:
                    return False
        return True
    except OSError:
        return False
    finally:
        res.engine.dispose()
