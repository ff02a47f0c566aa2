"""What ``chiso run`` does around the flow: check the request, skip idle runs, report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from flows.cli.summary import print_summary
from flows.settings import quiet_offline


def _usage(message: str) -> int:
    typer.secho(f"chiso: {message}", err=True, fg=typer.colors.RED)
    return 2


def missing_folders(settings: Any) -> list[str]:
    """Configured folder sources that do not exist (a usage error, said before running)."""
    from tasks.intake.folder import FolderSource
    from tasks.intake.sources import open_source

    out = []
    for uri in settings.source_list:
        src = open_source(uri, settings) if "://" not in uri or uri.startswith("file:") else None
        if isinstance(src, FolderSource) and not src.root.is_dir():
            out.append(str(src.root))
    return out


def main_job(inbox: Path | None, home: Path | None, period: str | None) -> int:
    """Run the main job; the process exit code (0 done, 1 infrastructure, 2 usage)."""
    quiet_offline()
    from pydantic import ValidationError

    from flows.settings import load_settings
    from models.periods import Period, PeriodError

    try:
        settings = load_settings(home)
        if inbox is not None:
            if not inbox.is_dir():
                return _usage(f"inbox folder not found: {inbox}")
            settings.sources = str(inbox.resolve())
        if period:
            period = str(Period.parse(period))
        if missing := missing_folders(settings):
            return _usage(
                f"source folder not found: {', '.join(missing)} (set CHISO_SOURCES or pass --inbox)"
            )
    except (ValidationError, PeriodError, ValueError) as exc:
        return _usage(str(exc))
    try:
        summary = _run(settings, period, str(inbox.resolve()) if inbox is not None else None)
    except Exception as exc:  # an infrastructure failure: say what, not a traceback
        typer.secho(
            f"chiso: run failed: {type(exc).__name__}: {exc}", err=True, fg=typer.colors.RED
        )
        return 1
    print_summary(summary)
    return 0


def _run(settings: Any, period: str | None, inbox: str | None) -> dict[str, Any]:
    """The pipeline flow; only an ``--inbox`` folder goes in its parameters (the configured
    sources stay in the settings: a source URL may carry credentials, and flow parameters
    are shown in the Prefect UI)."""
    from flows.resources import Resources
    from tasks.idle import nothing_to_do

    home = str(settings.home)
    res = Resources(settings)  # for this check only: the flow builds its own
    try:
        if nothing_to_do(res.engine, res.units, res.sources(), settings.max_file_bytes):
            return {"idle": True}
    finally:
        res.engine.dispose()
    from flows.pipeline import run_pipeline
    from tasks.warmup import start_api_while_importing_gx

    start_api_while_importing_gx()
    with _progress_bar():
        return dict(run_pipeline(inbox=inbox, home=home, period=period))


@contextmanager
def _progress_bar() -> Iterator[None]:
    """A progress bar on a terminal (stderr); nothing when output is redirected."""
    from rich.console import Console
    from rich.progress import Progress

    from tasks.progress import set_reporter

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with Progress(console=console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        set_reporter(report)
        try:
            yield
        finally:
            set_reporter(None)


def backfill_job(
    start: str, end: str, units: list[str], reprocess: str, dry_run: bool, home: Path | None
) -> int:
    """``chiso backfill``; the process exit code."""
    quiet_offline()
    from flows.resources import resources
    from models.periods import PeriodError
    from tasks.decide.backfill import plan

    try:
        res = resources(str(home) if home else None)
        plan(res.engine, res.units, start, end, units, reprocess)  # usage errors, early
        if missing := missing_folders(res.settings):
            return _usage(f"source folder not found: {', '.join(missing)} (set CHISO_SOURCES)")
    except (PeriodError, ValueError) as exc:
        return _usage(str(exc))
    except Exception as exc:  # the database or object store is not usable
        typer.secho(
            f"chiso: backfill failed: {type(exc).__name__}: {exc}", err=True, fg=typer.colors.RED
        )
        return 1
    from flows.backfill import backfill

    try:
        with _progress_bar():
            summary = backfill(
                start=start,
                end=end,
                units=units,
                reprocess=reprocess,
                dry_run=dry_run,
                home=str(home) if home else None,
            )
    except Exception as exc:
        typer.secho(
            f"chiso: backfill failed: {type(exc).__name__}: {exc}", err=True, fg=typer.colors.RED
        )
        return 1
    typer.echo(
        f"quarters {summary['quarters'][0]}..{summary['quarters'][-1]}; units "
        f"{summary['units']}; to re-validate {len(summary['reprocess'])}; "
        f"pending {len(summary['pending'])}" + (" (dry run: nothing done)" if dry_run else "")
    )
    for r in summary.get("published", []):
        typer.echo(
            f"  {r['period']}: {r['version']} ({r['status']}"
            f"{', new' if r['new_version'] else ', unchanged'})"
        )
    return 0
