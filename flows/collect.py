"""The ``collect-submissions`` flow: find new files in the sources, archive, register."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_table_artifact

from flows.heartbeats import flow
from flows.resources import resources
from tasks.events import contract
from tasks.intake.scans import record_scans
from tasks.intake.steps import archive_files, scan_sources

SKIPPED_ROWS = 200  # skipped entries listed in a run's summary and artifact


@flow(name="collect-submissions")
def collect_submissions(
    inbox: str | None = None,
    home: str | None = None,
    periods: list[str] | None = None,
    parse_ahead: bool = False,
) -> dict[str, Any]:
    """Register every new file of the sources as a received submission.

    Args:
        inbox: A folder to collect from instead of the configured sources.
        home: chiso's state directory (default: CHISO_HOME).
        periods: Quarters HTTP sources poll (default: those ended within CHISO_OPEN_DAYS).
        parse_ahead: Start parsing the new files while they are archived (for a run that
            decides them next, in the same process, as ``chiso run`` does).
    """
    res = resources(home, inbox)
    with res.events.run():
        found, unlisted, started = scan_sources(res.sources(periods), res.engine)
        registered, unread = archive_files(
            found,
            res.store,
            res.engine,
            res.settings.max_file_bytes,
            res.readers if parse_ahead else None,
        )
        record_scans(res.engine, started)
        new = [r for r in registered if r.new]
        res.events.send(contract.received(new, res.units))
        skipped = unlisted + unread
        log = get_run_logger()
        log.info("%d files seen, %d new submissions", len(found), len(new))
        for s in skipped:
            log.warning("skipped this run, looked at again next run: %s (%s)", s.where, s.reason)
        listed = [{"entry": s.where, "reason": s.reason} for s in skipped[:SKIPPED_ROWS]]
        if skipped:
            res.events.later(
                create_table_artifact,
                key="collect-skipped",
                table=listed,
                description=f"{len(skipped)} source entries skipped this run (read again next "
                "run)" + (f"; the first {SKIPPED_ROWS}" if len(skipped) > SKIPPED_ROWS else ""),
            )
    return {
        "seen": len(found),
        "new": len(new),
        "skipped": listed,
        "skipped_count": len(skipped),
    }
