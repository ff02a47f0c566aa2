"""``chiso run``: collect, process and publish in one orchestrated run."""

from __future__ import annotations

from typing import Any

from flows.collect import collect_submissions
from flows.heartbeats import flow
from flows.process import process_submissions
from flows.publish import publish_snapshot
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
    # the three flows' bodies (``.fn``) in this one flow run: a subflow run costs about a
    # second of API round trips and heartbeat shutdown, more while the API takes a
    # national quarter's events; their events go on while the next step runs
    res = resources(home)
    with res.events.run():
        collected = collect_submissions.fn(inbox=inbox, home=home, parse_ahead=True)
        processed = process_submissions.fn(home=home)
        # every quarter with a decision newer than its last publication, this run's or not
        periods = [period] if period else dirty_periods(res.engine, res.units, local_today())
        published = publish_snapshot.fn(home=home, periods=periods)
    return {"collected": collected, "processed": processed, "published": published}
