"""What a run of decisions shows its operator in the Prefect UI: the outcomes table and
the tracebacks of submissions chiso failed to decide."""

from __future__ import annotations

from typing import Any

from models.submission import Status
from tasks.decide.store import Outcome

REASONS_SHOWN = 5  # problems named in a run's table row (every one is in the feedback)
ARTIFACT_ROWS = 1000
INTERNAL_SHOWN = 20  # tracebacks in a run's artifact (each is in the log)
TRACE_CHARS = 4000


def outcome_row(o: Outcome) -> dict[str, Any]:
    """One decision as a row of the run's table: its first problems, values cut short."""
    reasons = "; ".join(
        f"{p.code}: {p.field or ''} {(p.value or '')[:40]}".strip()
        for p in o.problems[:REASONS_SHOWN]
    )
    total = o.error_count + o.warning_count
    if total > REASONS_SHOWN:
        reasons += f"; … {total - REASONS_SHOWN} more"
    return {
        "submission": o.submission_id,
        "unit": o.unit_code or "",
        "period": o.period or "",
        "status": o.status,
        "problems": reasons,
    }


def outcome_table(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """The outcomes table the Prefect UI shows, and its description: every decision of a
    run of up to :data:`ARTIFACT_ROWS`, only those with problems of a larger one, and of
    those at most :data:`ARTIFACT_ROWS`, the rejected first (a national backfill decides
    tens of thousands, each with its feedback report; a table of all those with warnings
    was 13 MB, more than the UI can show and more than the API lets through as an event)."""
    if len(rows) <= ARTIFACT_ROWS:
        return rows, "Accepted and rejected submissions, with reasons"
    flagged = [r for r in rows if r["problems"]]
    if len(flagged) <= ARTIFACT_ROWS:
        return flagged, (
            f"The {len(flagged)} of {len(rows)} decided submissions with problems (errors or "
            "warnings), with reasons; the others were accepted clean"
        )
    rejected = sum(r["status"] == Status.REJECTED for r in flagged)
    flagged.sort(key=lambda r: r["status"] != Status.REJECTED)  # stable: in decision order
    return flagged[:ARTIFACT_ROWS], (
        f"{ARTIFACT_ROWS} of the {len(flagged)} of {len(rows)} decided submissions with "
        f"problems ({rejected} rejected, listed first), with reasons; each submission's "
        "feedback report has all of its problems"
    )


def internal_report(internal: list[Outcome]) -> str:
    """The markdown of the ``internal-errors`` artifact: the first tracebacks, cut short."""
    body = "\n\n".join(
        f"### {o.submission_id} ({o.unit_code or '?'} {o.period or '?'})\n\n```\n"
        f"{(o.internal or '')[-TRACE_CHARS:]}\n```"
        for o in internal[:INTERNAL_SHOWN]
    )
    return (
        f"# {len(internal)} submissions rejected by a failure in chiso\n\n"
        "Each unit was told `internal_error`; fix the cause and re-validate them with "
        "`chiso backfill --reprocess failed`.\n\n" + body
    )
