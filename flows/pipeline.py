"""``chiso run``: collect, process and publish in one orchestrated run."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows import events
from flows.collect import collect
from flows.process import process
from flows.publish import publish_all
from flows.resources import resources
from models.periods import local_today
from tasks.publish.queries import dirty_periods


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
    # the steps of collect-submissions and process-submissions, in this one flow run
    try:
        collected = collect(inbox=inbox, home=home, parse_ahead=True)
        processed = process(home=home)
        res = resources(home)
        # every quarter with a decision newer than its last publication, this run's or not
        periods = [period] if period else dirty_periods(res.engine, res.units, local_today())
        published = publish_all(res, periods)
    finally:
        events.flush()  # the run ends once its events are with the API, failed or not
    return {"collected": collected, "processed": processed, "published": published}
