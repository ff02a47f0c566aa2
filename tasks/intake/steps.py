"""Intake's Prefect tasks: scan the sources, archive and register what is new."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine

from tasks.boundary import as_one, timed
from tasks.intake import collect, sources
from tasks.intake.readers import Readers
from tasks.objects.store import ObjectStore
from tasks.progress import report_progress

COLLECT_CHUNK = 200  # files archived, then registered in one transaction


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
    ahead: Readers | None = None,
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
