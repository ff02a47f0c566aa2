"""Publishing's Prefect task: a quarter's or a year's snapshot."""

from __future__ import annotations

from sqlalchemy import Engine

from tasks.boundary import step
from tasks.objects.store import ObjectStore
from tasks.publish import write
from tasks.publish.build import Context
from tasks.publish.write import Published


@step("publish-period", retries=2, retry_delay_seconds=2)
def publish_period(
    engine: Engine,
    objects: ObjectStore,
    ctx: Context,
    period: str,
    include: set[str] | None = None,
) -> Published:
    """Build a quarter's or year's publication and publish it (no-op when unchanged)."""
    from prefect.runtime import flow_run

    from models.periods import is_year
    from tasks.publish import assemble

    if is_year(period):
        pub = assemble.year_publication(engine, ctx, period, include or set())
    else:
        pub = assemble.quarter_publication(engine, ctx, period)
    build = assemble.report_builder(engine, ctx, pub)
    done = write.publish(engine, objects, pub, build, assemble.lineage(flow_run.get_id()))
    pub.release_files()  # written; a quarter's rows stay in ``ctx`` for its year
    return done
