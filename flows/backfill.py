"""The ``backfill`` flow: recollect, optionally re-decide, and republish a range of quarters."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from prefect import get_run_logger
from prefect.artifacts import (
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from flows.collect import collect_submissions
from flows.heartbeats import flow
from flows.process import process_submissions
from flows.publish import publish_snapshot
from flows.resources import resources
from tasks.boundary import shared_limit
from tasks.decide import backfill as plan_

CONCURRENCY = "chiso-backfill"


@flow(name="backfill")
def backfill(
    start: str,
    end: str,
    units: list[str] | None = None,
    reprocess: str = "none",
    dry_run: bool = False,
    home: str | None = None,
) -> dict[str, Any]:
    """Recollect, re-decide (none / failed / all) and republish the quarters start..end.

    Args:
        start: First quarter, YYYYQn.
        end: Last quarter, YYYYQn.
        units: Only these reporting units (default: all).
        reprocess: none (only new files), failed (also re-validate rejected files) or all
            (re-validate every decided file); earlier decisions are kept.
        dry_run: Only list what would be done.
        home: chiso's state directory (default: CHISO_HOME).
    """
    res = resources(home)
    plan = plan_.plan(res.engine, res.units, start, end, units or [], reprocess)
    summary: dict[str, Any] = {
        "quarters": plan.quarters,
        "units": plan.units or "all",
        "reprocess": plan.reprocess,
        "pending": plan.pending,
        "dry_run": dry_run,
    }
    create_table_artifact(
        key="backfill-plan",
        table=plan.rows,
        description=(
            f"Backfill {start}..{end}, reprocess={reprocess}"
            + (" (dry run: nothing done)" if dry_run else "")
            + ": per quarter, the submissions it would decide again and those pending"
        ),
    )
    if dry_run:
        get_run_logger().info("dry run: %s", summary)
        return summary
    progress = cast(
        UUID,
        create_progress_artifact(
            0.0, key="backfill-progress", description=f"backfill {start}..{end}"
        ),
    )
    # the three flows' bodies in this one flow run, as ``chiso run`` (flows/pipeline.py)
    with shared_limit(CONCURRENCY), res.events.run():
        collected = collect_submissions.fn(home=home, periods=plan.quarters)
        update_progress_artifact(progress, 25.0)
        plan_.reopen(res.engine, plan.reprocess)
        # no decision mails: a backfill re-decides past quarters, which units reported long ago
        processed = process_submissions.fn(home=home, mail_units=False)
        update_progress_artifact(progress, 60.0)
        published = publish_snapshot.fn(home=home, periods=plan.quarters)
    update_progress_artifact(progress, 100.0)
    summary |= {"collected": collected, "decided": processed["decided"], "published": published}
    return summary
