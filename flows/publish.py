"""The ``publish-snapshot`` flow: publish quarters and their years when their data changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_link_artifact, create_table_artifact

from flows.heartbeats import flow
from flows.resources import Resources, resources
from models.periods import Period, is_year, latest_due, local_today
from tasks.progress import track
from tasks.publish import completeness, queries
from tasks.publish.build import Context
from tasks.publish.plan import publication_order
from tasks.publish.steps import publish_period


@flow(name="publish-snapshot")
def publish_snapshot(
    period: str | None = None,
    home: str | None = None,
    periods: list[str] | None = None,
    changed: bool = False,
) -> list[dict[str, Any]]:
    """Publish the snapshot of a quarter and of its year (or of a year, given YYYY).

    Args:
        period: The quarter (YYYYQn, any accepted spelling) or a year (YYYY); by default the
            latest quarter whose due date has passed (the scheduled "final" publication).
        home: chiso's state directory (default: CHISO_HOME).
        periods: Several quarters or years at once, instead of ``period`` (``chiso run``
            and ``backfill`` publish every quarter they changed).
        changed: Publish every quarter with a decision newer than its last publication,
            and their years, instead of ``period``: what the ``chiso.period.updated``
            trigger asks for, so a burst of those events is published by one run, each
            period once.
    """
    res = resources(home)
    if changed:
        periods = queries.dirty_periods(res.engine, res.units, local_today())
    if periods is None:
        period = period or str(latest_due(res.settings.timely_days, datetime.now(UTC)))
        periods = [period if is_year(period) else str(Period.parse(period))]
    with res.events.run():
        rows = publish_all(res, periods)
    get_run_logger().info("published %s", [(r["period"], r["version"]) for r in rows])
    return rows


def publish_all(res: Resources, periods: list[str]) -> list[dict[str, Any]]:
    """Publish each quarter, then each of their years once (year to date); the table of
    what was published, and the run's artifacts."""
    ctx = Context(
        res.units,
        [i for i in res.indicators if i.role == "published"],
        res.targets,
        res.settings.timely_days,
        datetime.now(UTC),
        res.territories,
    )
    todo = publication_order(res.units, periods, local_today(ctx.now))
    quarters = [p for p, _ in todo if not is_year(p)]
    last = {q[:4]: q for q in quarters}  # each year's latest quarter (quarters are sorted)
    done = []
    for p, inc in track(todo, "publish", len(todo)):
        done.append(publish_period(res.engine, res.store, ctx, p, inc))
        ctx.let_go(p, last.get(p[:4], p))
    done.sort(key=lambda d: (is_year(d.period), d.period))  # quarters, then years
    rows: list[dict[str, Any]] = [
        {
            "period": d.period,
            "version": d.version,
            "status": d.status,
            "new_version": d.new_version,
            "report": res.link(f"snapshots/{d.period}/{d.version}/report.html"),
        }
        for d in done
    ]
    post_artifacts(res, rows, quarters)
    return rows


def post_artifacts(res: Resources, rows: list[dict[str, Any]], quarters: list[str]) -> None:
    """The run's tables and links in the Prefect UI, posted while the run goes on."""
    if rows:
        res.events.later(
            create_table_artifact,
            key="publish-snapshot",
            table=rows,
            description="Snapshots published (new_version false = unchanged)",
        )
    for q in quarters:
        p = Period.parse(q)
        facts = queries.submission_facts(res.engine, q)
        table = completeness.quarter_rows(
            p, res.units.expected(p), facts, res.settings.timely_days, datetime.now(UTC)
        )
        res.events.later(
            create_table_artifact,
            key=f"completeness-{q.lower()}",
            table=completeness.table_rows(table),
            description=f"Completeness and timeliness, {q}",
        )
    for r in rows:
        res.events.later(
            create_link_artifact,
            key=f"report-{r['period'].lower()}",
            link=r["report"],
            link_text=f"report.html {r['period']} {r['version']}",
        )
