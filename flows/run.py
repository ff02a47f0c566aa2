"""What ``chiso run`` does around the flow: check the request, skip idle runs, report."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

OFFLINE = {
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


def _usage(message: str) -> int:
    typer.secho(f"chiso: {message}", err=True, fg=typer.colors.RED)
    return 2


def main_job(inbox: Path | None, home: Path | None, period: str | None) -> int:
    """Run the main job; the process exit code (0 done, 1 infrastructure, 2 usage)."""
    for k, v in OFFLINE.items():
        os.environ.setdefault(k, v)
    if not os.environ.get("PREFECT_API_URL"):
        # ephemeral API: nothing outlives the run, so keep the terminal to the summary
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from pydantic import ValidationError

    from flows.settings import Settings
    from models.periods import Period, PeriodError

    try:
        settings = Settings(**({"home": home} if home else {}))  # type: ignore[arg-type]
        if inbox is not None:
            if not inbox.is_dir():
                return _usage(f"inbox folder not found: {inbox}")
            settings.sources = str(inbox.resolve())
        if period:
            period = str(Period.parse(period))
    except (ValidationError, PeriodError) as exc:
        return _usage(str(exc))
    try:
        summary = _run(settings, period)
    except Exception as exc:  # an infrastructure failure: say what, not a traceback
        typer.secho(
            f"chiso: run failed: {type(exc).__name__}: {exc}", err=True, fg=typer.colors.RED
        )
        return 1
    _print(summary)
    return 0


def _run(settings: Any, period: str | None) -> dict[str, Any]:
    from flows.idle import nothing_to_do

    home = str(settings.home)
    inbox = settings.sources
    if nothing_to_do(settings):
        return {"idle": True}
    from flows.pipeline import run_pipeline

    with _progress_bar():
        return dict(run_pipeline(inbox=inbox, home=home, period=period))


@contextmanager
def _progress_bar() -> Iterator[None]:
    """A progress bar on a terminal (stderr); nothing when output is redirected."""
    from rich.console import Console
    from rich.progress import Progress

    from flows.progress import set_reporter

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


def _print(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout)
    if summary.get("idle"):
        console.print("Không có gì mới / nothing new: no new files, nothing pending.")
        return
    processed = summary["processed"]
    table = Table(title="chiso run")
    for col in ("submission", "unit", "period", "status", "problems"):
        table.add_column(col)
    for row in processed["outcomes"]:
        table.add_row(
            *(str(row[c]) for c in ("submission", "unit", "period", "status", "problems"))
        )
    console.print(table)
    if summary.get("published"):
        snaps = Table(title="snapshots")
        for col in ("period", "version", "status", "new version"):
            snaps.add_column(col)
        for r in summary["published"]:
            snaps.add_row(
                r["period"],
                r["version"],
                r["status"],
                "yes" if r["new_version"] else "no (unchanged)",
            )
        console.print(snaps)
    c = summary["collected"]
    console.print(
        f"files seen {c['seen']}, new {c['new']}; decided {processed['decided']}: "
        f"accepted {processed['accepted']}, rejected {processed['rejected']}"
    )
