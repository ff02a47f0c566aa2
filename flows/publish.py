"""The ``publish-snapshot`` flow: publish quarters and their years when their data changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from prefect import flow, get_run_logger
from prefect.artifacts import create_link_artifact, create_table_artifact

from flows import events
from flows.resources import Resources, resources
from models.periods import Period, is_year, latest_due, local_today
from tasks.boundary import opaque
from tasks.progress import track
from tasks.publish import completeness, queries
from tasks.publish.build import Context
from tasks.publish.steps import publish_period
from tasks.publish.write import Published


def publish_all(res: Resources, periods: list[str]) -> list[dict[str, Any]]:
    """Publish each quarter, then each of their years once (year to date)."""
    ctx = Context(
        res.units,
        [i for i in res.indicators if i.role == "published"],
        res.targets,
        res.settings.timely_days,
        datetime.now(UTC),
    )
    today = local_today(ctx.now)
    quarters = sorted(
        str(q)
        for q in {Period.parse(p) for p in periods if not is_year(p)}
        if res.units.publishable(q, today)
    )
    years = sorted(
        {q[:4] for q in quarters}
        | {p for p in periods if is_year(p) and res.units.publishable(Period(int(p), 1), today)}
    )
    # each year right after its quarters, which are then let go: memory stays flat over a
    # backfill of many years (a national quarter's rows are tens of megabytes)
    todo: list[tuple[str, set[str]]] = []
    for y in years:
        mine = {q for q in quarters if q[:4] == y}
        todo += [(q, set()) for q in sorted(mine)] + [(y, mine)]
    done = []
    for p, inc in track(todo, "publish", len(todo)):
        pub = publish_period(opaque(res.engine), opaque(res.store), opaque(ctx), p, inc)
        done.append(cast(Published, pub))
        if is_year(p):
            ctx.built.clear()
        elif p != max(q for q in quarters if q[:4] == p[:4]) and p in ctx.built:
            ctx.built[p].release_roster()  # its year reads the roster of a later quarter
    done.sort(key=lambda d: (is_year(d.period), d.period))  # quarters, then years
    rows: list[dict[str, Any]] = [
        {
            "period": p.period,
            "version": p.version,
            "status": p.status,
            "new_version": p.new_version,
            "report": res.store.url(f"snapshots/{p.period}/{p.version}/report.html"),
        }
        for p in done
    ]
    if rows:
        events.later(
            create_table_artifact,
            key="publish-snapshot",
            table=rows,
            description="Snapshots published (new_version false = unchanged)",
        )
    for q in quarters:
        events.later(
            create_table_artifact,
            key=f"completeness-{q.lower()}",
            table=completeness_rows(res, q),
            description=f"Completeness and timeliness, {q}",
        )
    for r in rows:
        events.later(
            create_link_artifact,
            key=f"report-{r['period'].lower()}",
            link=r["report"],
            link_text=f"report.html {r['period']} {r['version']}",
        )
    return rows


def completeness_rows(res: Resources, quarter: str) -> list[dict[str, Any]]:
    """The quarter's completeness table, as the Prefect UI shows it."""
    p = Period.parse(quarter)
    facts = queries.submission_facts(res.engine, quarter)
    rows = completeness.quarter_rows(
        p, res.units.expected(p), facts, res.settings.timely_days, datetime.now(UTC)
    )
    return [
        {
            "unit": r["unit_code"],
            "name": r["unit_name"],
            "status": r["status"],
            "received_at": r["received_at"].isoformat() if r["received_at"] else "",
            "rejected": r["rejected_count"],
        }
        for r in rows
    ]


@flow(name="publish-snapshot")
def publish_snapshot(period: str | None = None, home: str | None = None) -> list[dict[str, Any]]:
    """Publish the snapshot of a quarter and of its year (or of a year, given YYYY).

    Args:
        period: The quarter (YYYYQn, any accepted spelling) or a year (YYYY); by default the
            latest quarter whose due date has passed (the scheduled "final" publication).
        home: chiso's state directory (default: CHISO_HOME).
    """
    res = resources(home)
    if not period:
        period = str(latest_due(res.settings.timely_days, datetime.now(UTC)))
    try:
        rows = publish_all(res, [period if is_year(period) else str(Period.parse(period))])
    finally:
        events.flush()  # the run ends once its artifacts are with the API, failed or not
    get_run_logger().info("published %s", [(r["period"], r["version"]) for r in rows])
    return rows
