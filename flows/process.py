"""The ``process-submissions`` flow: validate every pending submission and decide it."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)

from flows import events
from flows.resources import resources
from models.submission import Status
from tasks.boundary import opaque, shared_limit
from tasks.decide.claim import claimer
from tasks.decide.steps import claim_batch, decide_batch, publish_data_docs, read_batch
from tasks.decide.store import Outcome
from tasks.intake.parse import forget_ahead

BATCH = 2000
CONCURRENCY = "chiso-process-submissions"


REASONS_SHOWN = 5  # problems named in a run's table row (every one is in the feedback)


def _row(o: Outcome) -> dict[str, Any]:
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


ARTIFACT_ROWS = 1000


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


@flow(name="process-submissions")
def process_submissions(home: str | None = None, batch_size: int = BATCH) -> dict[str, Any]:
    """Accept or reject every received submission, with a feedback report for each.

    Args:
        home: chiso's state directory (default: CHISO_HOME).
        batch_size: Submissions validated together in one GX run.
    """
    try:
        return process(home, batch_size)
    finally:
        events.flush()  # the run ends once its events and artifacts are with the API


def process(home: str | None = None, batch_size: int = BATCH) -> dict[str, Any]:
    """The body of ``process-submissions``, which ``chiso run`` and ``backfill`` call inside
    their own flow run (see :func:`flows.collect.collect`)."""
    res = resources(home)
    decisions: list[events.Decided] = []
    rows: list[dict[str, Any]] = []
    internal: list[Outcome] = []  # rejected for a failure in chiso: the operator's to look at
    # the claims keep concurrent runs apart; the concurrency limit (created with the
    # deployments) is a second guard, and is skipped where it does not exist
    try:
        with shared_limit(CONCURRENCY), claimer(res.engine) as claims:
            while subs := claim_batch(opaque(claims), batch_size).unquote():
                items = read_batch(opaque(res.store), opaque(subs), res.limits).unquote()
                decided = decide_batch(
                    opaque(res.engine),
                    opaque(res.store),
                    opaque(items),
                    opaque(subs),
                    opaque(res.units),
                    opaque(res.rules()),
                    res.settings.timely_days,
                ).unquote()
                internal += [o for o in decided if o.internal]
                # stored now: keep what the events and the summary need, not the parsed
                # files nor the problems (a backfill decides tens of thousands)
                batch = [events.Decided.of(o) for o in decided]
                # their events now, behind the API's pace: a backfill's 66,420 at the end
                # kept it busy for a minute after the last snapshot
                events.submissions_decided(batch)
                decisions += batch
                rows += [_row(o) for o in decided]
    finally:
        forget_ahead()  # files parsed ahead this run did not decide (another run did)
    events.periods_updated(decisions)  # after every decision's own event
    docs = publish_data_docs(opaque(res.store)) if decisions else None
    if docs:  # UI artifacts are posted after the events, while the run goes on
        events.later(
            create_link_artifact,
            key="data-docs",
            link=docs,
            link_text="Great Expectations Data Docs of the validations",
        )
    accepted = [d for d in decisions if d.status == Status.ACCEPTED]
    periods = sorted({d.period for d in accepted if d.period})
    if rows:
        table, description = outcome_table(rows)
        events.later(
            create_table_artifact, key="process-submissions", table=table, description=description
        )
    log = get_run_logger()
    log.info(
        "%d decided: %d accepted, %d rejected",
        len(decisions),
        len(accepted),
        len(decisions) - len(accepted),
    )
    report_internal(internal)
    return {
        "decided": len(decisions),
        "accepted": len(accepted),
        "rejected": len(decisions) - len(accepted),
        "periods": periods,
        "outcomes": rows,
        "internal_errors": [o.submission_id for o in internal],
    }


INTERNAL_SHOWN = 20  # tracebacks in a run's artifact (each is in the log)
TRACE_CHARS = 4000


def report_internal(internal: list[Outcome]) -> None:
    """Each submission rejected for a failure in chiso (or a reader crash): its traceback
    in the operator's log, and the first few in the run's artifact."""
    if not internal:
        return
    log = get_run_logger()
    for o in internal:
        log.error("submission %s rejected by a failure in chiso:\n%s", o.submission_id, o.internal)
    body = "\n\n".join(
        f"### {o.submission_id} ({o.unit_code or '?'} {o.period or '?'})\n\n```\n"
        f"{(o.internal or '')[-TRACE_CHARS:]}\n```"
        for o in internal[:INTERNAL_SHOWN]
    )
    events.later(
        create_markdown_artifact,
        key="internal-errors",
        markdown=f"# {len(internal)} submissions rejected by a failure in chiso\n\n"
        "Each unit was told `internal_error`; fix the cause and re-validate them with "
        "`chiso backfill --reprocess failed`.\n\n" + body,
        description="Tracebacks of submissions chiso failed to decide",
    )
