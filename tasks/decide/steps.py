"""Decision's Prefect tasks: claim a batch, read it, decide it, publish the Data Docs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from expectations.frames import Item
from models.catalog import UnitCatalog
from models.submission import Submission
from tasks.boundary import step
from tasks.decide import decisions, docs, read, store
from tasks.decide.claim import Claimer
from tasks.intake.readers import Readers
from tasks.objects.many import put_folder
from tasks.objects.store import ObjectStore
from tasks.progress import report_progress


@step("claim-batch")
def claim_batch(claims: Claimer, limit: int) -> list[Submission]:
    """The next pending submissions only this run may decide."""
    return claims.batch(limit)


@step("read-batch")
def read_batch(objects: ObjectStore, subs: list[Submission], readers: Readers) -> list[Item]:
    """Parse each pending submission from its archived bytes (or take it parsed ahead)."""
    items = read.read_items(objects, subs, readers)
    report_progress("read", len(items), len(items))
    return items


@step("decide-batch")
def decide_batch(
    engine: Engine,
    objects: ObjectStore,
    items: list[Item],
    subs: list[Submission],
    units: UnitCatalog,
    rules: Any,
    timely_days: int,
) -> list[store.Outcome]:
    """Validate the batch (GX suites, then warnings across submissions), write the
    feedback reports and record the decisions in one transaction; a batch that fails is
    decided in halves, down to the one submission that fails (``internal_error``)."""
    by_id = {s.id: s for s in subs}
    return decisions.decide_apart(engine, objects, items, by_id, units, rules, timely_days)


@step("publish-data-docs")
def publish_data_docs(objects: ObjectStore) -> str | None:
    """Build the GX Data Docs of this run's validations and upload them under ``docs/``."""
    site = docs.build_docs()
    if site is None:
        return None
    put_folder(objects, "docs/", site)
    return objects.url("docs/index.html")
