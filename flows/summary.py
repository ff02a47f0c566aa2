"""The summary ``chiso run`` prints: its decisions, snapshots and skipped entries."""

from __future__ import annotations

import sys
from typing import Any

TABLE_ROWS = 200  # a larger run lists its submissions with problems, up to this many


def print_summary(summary: dict[str, Any]) -> None:
    """What ``chiso run`` prints at its end: decisions, snapshots, what was skipped."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout)
    if summary.get("idle"):
        console.print("Không có gì mới / nothing new: no new files, nothing pending.")
        return
    processed = summary["processed"]
    rows = processed["outcomes"]
    title = "chiso run"
    if len(rows) > TABLE_ROWS:  # thousands of rows help nobody on a terminal (and take seconds)
        flagged = [r for r in rows if r["problems"]]
        title = f"chiso run: {len(flagged)} of {len(rows)} submissions with problems"
        if len(flagged) > TABLE_ROWS:
            title += f" (the first {TABLE_ROWS}; every one has its feedback report)"
        rows = flagged[:TABLE_ROWS]
    table = Table(title=title)
    for col in ("submission", "unit", "period", "status", "problems"):
        table.add_column(col)
    for row in rows:
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
    if c.get("skipped"):
        skipped = Table(title=f"skipped this run, read again next run ({c['skipped_count']})")
        skipped.add_column("entry")
        skipped.add_column("reason")
        for s in c["skipped"]:
            skipped.add_row(s["entry"], s["reason"])
        console.print(skipped)
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
