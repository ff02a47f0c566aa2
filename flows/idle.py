"""Decide, without Prefect or GX, whether a run has anything to do (a cheap pre-check)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select


def nothing_to_do(settings: Any) -> bool:
    """True when every source file is known and nothing is pending."""
    from flows.resources import Resources
    from models.db import current_revision
    from models.submission import Submission
    from tasks.collect import _hash, submission_id
    from tasks.gather import dirty_periods

    res = Resources(settings)
    if current_revision(res.engine) is None:
        return False
    with Session(res.engine) as s:
        known = set(s.exec(select(Submission.id)).all())
        tagged = set(
            s.exec(
                select(Submission.source_uri, Submission.source_etag).where(
                    col(Submission.source_etag).is_not(None)
                )
            ).all()
        )
        pending = s.exec(
            select(func.count()).select_from(Submission).where(Submission.status == "received")
        ).one()
    if pending or dirty_periods(res.engine):
        return False
    for src in res.sources():
        for found in src.scan():
            if found.etag and (found.source_uri, found.etag) in tagged:
                continue
            sha, _ = _hash(found, res.settings.max_file_bytes)
            if submission_id(found.source_uri, sha) not in known:
                return False
    res.engine.dispose()
    return True
