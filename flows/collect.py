"""The ``collect-submissions`` flow: find new files in the sources, archive, register."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from flows import events
from flows.resources import resources
from tasks.boundary import opaque
from tasks.intake.steps import archive_files, scan_sources

SKIPPED_ROWS = 200  # skipped entries listed in a run's summary and artifact


@flow(name="collect-submissions")
def collect_submissions(
    inbox: str | None = None, home: str | None = None, periods: list[str] | None = None
) -> dict[str, Any]:
    """Register every new file of the sources as a received submission.

    Args:
        inbox: A folder to collect from instead of the configured sources.
        home: chiso's state directory (default: CHISO_HOME).
        periods: Quarters HTTP sources poll (default: those ended within CHISO_OPEN_DAYS).
    """
    try:
        return collect(inbox, home, periods)
    finally:
        events.flush()  # the run ends once its events are with the API


def collect(
    inbox: str | None = None,
    home: str | None = None,
    periods: list[str] | None = None,
    parse_ahead: bool = False,
) -> dict[str, Any]:
    """The body of ``collect-submissions``. ``chiso run`` and ``backfill`` call it inside
    their own flow run: a subflow run costs about a second of API round trips and
    heartbeat shutdown, more while the API takes a national quarter's events. With
    ``parse_ahead`` (a run that decides next, in this process), the new files start
    parsing while they are archived."""
    res = resources(home, inbox)
    found, unlisted = scan_sources(opaque(res.sources(periods))).unquote()
    registered, unread = archive_files(
        opaque(found),
        opaque(res.store),
        opaque(res.engine),
        res.settings.max_file_bytes,
        res.limits if parse_ahead else None,
    ).unquote()
    new = [r for r in registered if r.new]
    events.submissions_received(new)
    skipped = unlisted + unread
    log = get_run_logger()
    log.info("%d files seen, %d new submissions", len(found), len(new))
    for s in skipped:
        log.warning("skipped this run, looked at again next run: %s (%s)", s.where, s.reason)
    listed = [{"entry": s.where, "reason": s.reason} for s in skipped[:SKIPPED_ROWS]]
    if skipped:
        events.later(
            create_table_artifact,
            key="collect-skipped",
            table=listed,
            description=f"{len(skipped)} source entries skipped this run (read again next run)"
            + (f"; the first {SKIPPED_ROWS}" if len(skipped) > SKIPPED_ROWS else ""),
        )
    return {
        "seen": len(found),
        "new": len(new),
        "skipped": listed,
        "skipped_count": len(skipped),
    }
