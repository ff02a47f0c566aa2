"""``chiso status`` and ``chiso withdraw``: read and correct state from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from flows.resources import Resources
from models.periods import Period, local_text

COLORS = {"on_time": "green", "late": "yellow", "missing": "red", "pending": "bright_black"}


def _resources(home: Path | None) -> Resources:
    from flows.resources import resources

    return resources(home)


def show_status(period: str | None, home: Path | None, now: datetime | None = None) -> int:
    """Print one quarter's completeness table (default: the latest that has ended, by the
    local calendar); exit code."""
    from models.periods import PeriodError, latest_ended
    from tasks.publish import completeness, queries

    now = now or datetime.now(UTC)
    try:
        p = Period.parse(period) if period else latest_ended(now)
    except PeriodError as exc:
        typer.secho(f"chiso: {exc}", err=True, fg="red")
        return 2
    res = _resources(home)
    _, facts = queries.quarter_data(res.engine, str(p))
    rows = completeness.quarter_rows(
        p,
        res.units.expected(p),
        facts,
        res.settings.timely_days,
        now,
    )
    table = Table(title=f"{p}: completeness and timeliness (due {p.due_date()})")
    for col in ("unit", "name", "status", "submission", "received (Vietnam time)", "rejected"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["unit_code"],
            r["unit_name"],
            f"[{COLORS[r['status']]}]{r['status']}[/]",
            (r["submission_id"] or "")[:12],
            local_text(r["received_at"]),
            str(r["rejected_count"]),
        )
    console = Console()
    console.print(table)
    counts = {s: sum(r["status"] == s for r in rows) for s in COLORS}
    console.print(" · ".join(f"{k}: {v}" for k, v in counts.items()))
    console.print(_by_territory(res, p, rows))
    return 0


def _by_territory(res: Resources, p: Period, rows: list[dict[str, Any]]) -> Table:
    """Completeness per province and per territory (contract 5a) of the quarter."""
    from tasks.publish.completeness import by_group

    table = Table(title=f"{p}: completeness by province and territory")
    for col in ("level", "code", "name", "units", *COLORS):
        number = col in COLORS or col == "units"
        table.add_column(col, justify="right" if number else "left", no_wrap=col != "name")
    for g in by_group(rows, res.groups(p)):
        table.add_row(
            g["level"], g["code"], g["name"], str(g["units"]), *(str(g[s]) for s in COLORS)
        )
    return table


def withdraw_submission(submission: str, reason: str, home: Path | None) -> int:
    """Withdraw, then republish the quarter and its year; exit code."""
    from tasks.decide.corrections import WithdrawError, withdraw

    res = _resources(home)
    try:
        sub = withdraw(res.engine, submission, reason, datetime.now(UTC))
    except WithdrawError as exc:
        typer.secho(f"chiso: {exc}", err=True, fg="red")
        return 2
    typer.echo(f"withdrawn {sub.id} ({sub.unit_code} {sub.period}): {sub.withdrawn_reason}")
    from flows.publish import publish_snapshot
    from flows.settings import quiet_offline

    quiet_offline()

    if sub.period:
        for row in publish_snapshot(period=sub.period, home=str(home) if home else None):
            typer.echo(f"published {row['period']} {row['version']} ({row['status']})")
    return 0
