"""``chiso run``: collect, process and publish in one orchestrated run."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.collect import collect_submissions
from flows.process import process_submissions
from flows.publish import publish_all
from flows.resources import resources


@flow(name="chiso-run")
def run_pipeline(
    inbox: str | None = None, home: str | None = None, period: str | None = None
) -> dict[str, Any]:
    """Collect new files, decide every pending submission, publish what changed.

    Args:
        inbox: A folder to collect from instead of the configured sources.
        home: chiso's state directory (default: CHISO_HOME).
        period: Only publish this quarter (YYYYQn).
    """
    collected = collect_submissions(inbox=inbox, home=home)
    processed = process_submissions(home=home)
    periods = sorted(
        {o["period"] for o in processed["outcomes"] if o["period"]} | set(processed["periods"])
    )
    if period:
        periods = [period]
    published = publish_all(resources(home), periods)
    return {"collected": collected, "processed": processed, "published": published}
