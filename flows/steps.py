"""Prefect task boundaries around the pure steps in ``tasks/`` (retries, logs, timing)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, ParamSpec, Protocol, TypeVar, cast

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote
from sqlalchemy import Engine

from expectations.frames import Item
from flows.progress import report_progress
from models.catalog import UnitCatalog
from models.submission import Submission
from tasks.decide import decisions, store, validate
from tasks.decide.claim import Claimer
from tasks.intake import collect, sources
from tasks.intake.parse import Limits
from tasks.objects.store import ObjectStore
from tasks.publish import write

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
P = ParamSpec("P")
F = TypeVar("F", bound=Callable[..., Any])
COLLECT_CHUNK = 200  # files archived, then registered in one transaction


WORK: dict[str, float] = {}  # seconds spent inside each step's body in this process


def timed(fn: F) -> F:
    """Add the time spent in ``fn``'s body to :data:`WORK` (what the steps themselves cost,
    as against the orchestration around them)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            WORK[fn.__name__] = WORK.get(fn.__name__, 0.0) + time.perf_counter() - start

    return cast(F, wrapper)


def shared_limit(name: str) -> AbstractContextManager[Any]:
    """Prefect's global concurrency limit ``name`` (created with the deployments; skipped
    where it does not exist); nothing under an ephemeral API, which no other process shares."""
    from prefect.concurrency.sync import concurrency
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        return nullcontext()
    return concurrency(name, occupy=1, strict=False)


class Quoted(Protocol[T_co]):
    """A task's value as :func:`as_one` returns it."""

    def unquote(self) -> T_co: ...


def as_one(fn: Callable[P, T]) -> Callable[P, Quoted[T]]:
    """Return the step's value inside a ``quote`` (the caller takes it out with
    ``.unquote()``). Prefect links a task's result, and each element of it, to the task run
    in the flow run's context until the flow run ends; quoted, a batch of 2,000 is one entry
    instead of thousands (a national backfill's 34 batches grew the process by ~60 MB)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Quoted[T]:
        return cast(Quoted[T], quote(fn(*args, **kwargs)))

    return wrapper


def opaque(value: T) -> T:
    """Pass ``value`` to a task without Prefect walking it for upstream results (that walk
    costs seconds on a batch of thousands of submissions; none of ours hold futures)."""
    return cast(T, quote(value))


@task(name="scan-sources", cache_policy=NO_CACHE)
@as_one
@timed
def scan_sources(
    srcs: list[sources.Source],
) -> tuple[list[sources.FoundFile], list[sources.Skipped]]:
    """Every submission file the sources hold now, and the entries skipped this run."""
    found: list[sources.FoundFile] = []
    skipped: list[sources.Skipped] = []
    for src in srcs:
        for entry in src.scan():
            (skipped if isinstance(entry, sources.Skipped) else found).append(entry)  # type: ignore[arg-type]
    return found, skipped


@task(name="archive-files", cache_policy=NO_CACHE)
@as_one
@timed
def archive_files(
    found: list[sources.FoundFile],
    objects: ObjectStore,
    engine: Engine,
    max_bytes: int,
    ahead: Limits | None = None,
) -> tuple[list[collect.Registered], list[sources.Skipped]]:
    """Archive each new file under ``raw/`` and register it as received (in chunks, one
    transaction each); with ``ahead``, start parsing the new files meanwhile. Files that
    cannot be read now are skipped (and returned)."""
    known = collect.Known(engine)
    done: list[collect.Registered] = []
    skipped: list[sources.Skipped] = []
    for start in range(0, len(found), COLLECT_CHUNK):
        got, missed = collect.register(
            found[start : start + COLLECT_CHUNK], known, objects, engine, max_bytes, ahead=ahead
        )
        done, skipped = done + got, skipped + missed
        report_progress("collect", len(done) + len(skipped), len(found))
    return done, skipped


@task(name="claim-batch", cache_policy=NO_CACHE)
@as_one
@timed
def claim_batch(claims: Claimer, limit: int) -> list[Submission]:
    """The next pending submissions only this run may decide."""
    return claims.batch(limit)


@task(name="read-batch", cache_policy=NO_CACHE)
@as_one
@timed
def read_batch(objects: ObjectStore, subs: list[Submission], limits: Limits) -> list[Item]:
    """Parse each pending submission from its archived bytes."""
    items = decisions.read_items(objects, subs, limits)
    report_progress("read", len(items), len(items))
    return items


@task(name="decide-batch", cache_policy=NO_CACHE)
@as_one
@timed
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


@task(name="publish-period", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
@timed
def publish_period(
    engine: Engine, objects: ObjectStore, ctx: Any, period: str, include: set[str] | None = None
) -> Any:
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


@task(name="publish-data-docs", cache_policy=NO_CACHE)
@timed
def publish_data_docs(objects: ObjectStore) -> str | None:
    """Build the GX Data Docs of this run's validations and upload them under ``docs/``."""
    site = validate.build_docs()
    if site is None:
        return None
    types = {
        ".html": "text/html; charset=utf-8",
        ".css": "text/css",
        ".js": "text/javascript",
        ".json": "application/json",
        ".png": "image/png",
        ".svg": "image/svg+xml",
    }
    for path in sorted(site.rglob("*")):
        if path.is_file():
            objects.put(
                "docs/" + path.relative_to(site).as_posix(),
                path.read_bytes(),
                types.get(path.suffix),
            )
    return objects.url("docs/index.html")
