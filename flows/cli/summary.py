"""The summary ``chiso run`` prints: its decisions, snapshots and skipped entries."""

from __future__ import annotations

import sys
from typing import Any

TABLE_ROWS = 200  # a larger run lists its submissions with problems, up to this many


def print_summary(summary: dict[str, Any]) -> None:
    """What ``chiso run`` prints at its end: decisions, snapshots, what was skipped."""
    from rich.console import Console

    console = Console(file=sys.stdout)
    if summary.get("idle"):
        console.print("Không có gì mới / nothing new: no new files, nothing pending.")
        return
    processed, c = summary["processed"], summary["collected"]
    console.print(_decisions(processed["outcomes"]))
    if summary.get("published"):
        console.print(_snapshots(summary["published"]))
    if c.get("skipped"):
        console.print(
            _table(
                f"skipped this run, read again next run ({c['skipped_count']})",
                ("entry", "reason"),
                [(s["entry"], s["reason"]) for s in c["skipped"]],
            )
        )
    console.print(
        f"files seen {c['seen']}, new {c['new']}; decided {processed['decided']}: "
        f"accepted {processed['accepted']}, rejected {processed['rejected']}"
        + (f"; skipped {c['skipped_count']}" if c.get("skipped_count") else "")
    )
    if processed.get("internal_errors"):
        console.print(
            f"[red]{len(processed['internal_errors'])} rejected by a failure in chiso "
            "(internal_error; tracebacks in the log and the run's artifact): "
            + ", ".join(processed["internal_errors"][:20])
        )


def _table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> Any:
    from rich.table import Table

    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    return table


OUTCOME = ("submission", "unit", "period", "status", "problems")


def _decisions(rows: list[dict[str, Any]]) -> Any:
    """The run's decisions; of a large run, those with problems only."""
    title = "chiso run"
    if len(rows) > TABLE_ROWS:  # thousands of rows help nobody on a terminal (and take seconds)
        flagged = [r for r in rows if r["problems"]]
        title = f"chiso run: {len(flagged)} of {len(rows)} submissions with problems"
        if len(flagged) > TABLE_ROWS:
            title += f" (the first {TABLE_ROWS}; every one has its feedback report)"
        rows = flagged[:TABLE_ROWS]
    return _table(title, OUTCOME, [tuple(str(r[c]) for c in OUTCOME) for r in rows])


def _snapshots(published: list[dict[str, Any]]) -> Any:
    return _table(
        "snapshots",
        ("period", "version", "status", "new version"),
        [
            (
                r["period"],
                r["version"],
                r["status"],
                "yes" if r["new_version"] else "no (unchanged)",
            )
            for r in published
        ],
    )
