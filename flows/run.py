"""What ``chiso run`` does around the flow: check the request, skip idle runs, report."""

from __future__ import annotations

import os
import sys
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

    return dict(run_pipeline(inbox=inbox, home=home, period=period))


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
    c = summary["collected"]
    console.print(
        f"files seen {c['seen']}, new {c['new']}; decided {processed['decided']}: "
        f"accepted {processed['accepted']}, rejected {processed['rejected']}"
    )
