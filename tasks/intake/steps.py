"""Intake's Prefect tasks: scan the sources, archive and register what is new."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Engine

from tasks.boundary import step
from tasks.intake import collect, scans, sources
from tasks.intake.readers import Readers
from tasks.objects.store import ObjectStore
from tasks.progress import report_progress

COLLECT_CHUNK = 200  # files archived, then registered in one transaction


@step("scan-sources")
def scan_sources(
    srcs: list[sources.Source], engine: Engine
) -> tuple[list[sources.FoundFile], list[sources.Skipped], dict[str, datetime]]:
    """Every submission file the sources hold now, each with the start of chiso's previous
    look at its source (``seen_after``); the entries skipped this run; and when this look
    at each source began (to record once its files are registered:
    :func:`tasks.intake.scans.record_scans`)."""
    found: list[sources.FoundFile] = []
    skipped: list[sources.Skipped] = []
    before = scans.last_scans(engine, [src.uri for src in srcs])
    started: dict[str, datetime] = {}
    for src in srcs:
        started[src.uri] = datetime.now(UTC)
        for entry in src.scan():
            if isinstance(entry, sources.Skipped):
                skipped.append(entry)
            else:
                found.append(replace(entry, seen_after=before.get(src.uri)))
    return found, skipped, started


@step("archive-files")
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
