"""The ``process-submissions`` flow: validate every pending submission and decide it."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)

from flows.heartbeats import flow
from flows.resources import Resources, resources
from models.submission import Status
from tasks.boundary import shared_limit
from tasks.decide.claim import claimer
from tasks.decide.runlog import internal_report, outcome_row, outcome_table
from tasks.decide.steps import claim_batch, decide_batch, publish_data_docs, read_batch
from tasks.decide.store import Outcome
from tasks.events import contract
from tasks.events.contract import Decided
from tasks.warmup import import_gx_meanwhile

BATCH = 2000
CONCURRENCY = "chiso-process-submissions"


@flow(name="process-submissions")
def process_submissions(
    home: str | None = None, batch_size: int = BATCH, mail_units: bool = True
) -> dict[str, Any]:
    """Accept or reject every received submission, with a feedback report for each.

    Args:
        home: chiso's state directory (default: CHISO_HOME).
        batch_size: Submissions validated together in one GX run.
        mail_units: Mail each decision to its unit's accounts (with CHISO_NOTIFY_DECISIONS);
            a backfill's re-validation of past quarters does not.
    """
    res = resources(home)
    with res.events.run():
        decisions, rows, internal = decide_all(res, batch_size)
        # after every decision's own event
        res.events.send(contract.periods_updated(contract.touched(decisions)))
        docs = publish_data_docs(res.store) if decisions else None
        if docs:  # UI artifacts are posted after the events, while the run goes on
            res.events.later(
                create_link_artifact,
                key="data-docs",
                link=res.link("docs/index.html"),
                link_text="Great Expectations Data Docs of the validations",
            )
        if rows:
            table, description = outcome_table(rows)
            res.events.later(
                create_table_artifact,
                key="process-submissions",
                table=table,
                description=description,
            )
        report_internal(res, internal)
        notify(res, decisions if mail_units else [])
    accepted = [d for d in decisions if d.status == Status.ACCEPTED]
    get_run_logger().info(
        "%d decided: %d accepted, %d rejected",
        len(decisions),
        len(accepted),
        len(decisions) - len(accepted),
    )
    return {
        "decided": len(decisions),
        "accepted": len(accepted),
        "rejected": len(decisions) - len(accepted),
        "periods": sorted({d.period for d in accepted if d.period}),
        "outcomes": rows,
        "internal_errors": [o.submission_id for o in internal],
    }


def decide_all(
    res: Resources, batch_size: int
) -> tuple[list[Decided], list[dict[str, Any]], list[Outcome]]:
    """Claim, read and decide batch after batch until none is pending; each decision's
    event is sent as its batch is stored. The decisions, their table rows, and those
    rejected for a failure in chiso (the operator's to look at)."""
    decisions: list[Decided] = []
    rows: list[dict[str, Any]] = []
    internal: list[Outcome] = []
    # the claims keep concurrent runs apart; the concurrency limit (created with the
    # deployments) is a second guard, and is skipped where it does not exist
    importing = None
    try:
        with shared_limit(CONCURRENCY), claimer(res.engine) as claims:
            while subs := claim_batch(claims, batch_size):
                if importing is None:
                    importing = import_gx_meanwhile()  # while the first batch is read
                items = read_batch(res.store, subs, res.readers)
                # whole before the validation imports it: two threads importing GX at
                # once can hand one a half-made module (an ImportError that rejected a
                # fresh process's first files as internal errors)
                importing.join()
                decided = decide_batch(
                    res.engine,
                    res.store,
                    items,
                    subs,
                    res.units,
                    res.rules(),
                    res.settings.timely_days,
                )
                internal += [o for o in decided if o.internal]
                # stored now: keep what the events and the summary need, not the parsed
                # files nor the problems (a backfill decides tens of thousands)
                batch = [Decided.of(o) for o in decided]
                # their events now, behind the API's pace: a backfill's 66,420 at the end
                # kept it busy for a minute after the last snapshot
                res.events.send(contract.decided(batch))
                decisions += batch
                rows += [outcome_row(o) for o in decided]
    finally:
        res.readers.forget_ahead()  # files parsed ahead this run did not decide (another run did)
    return decisions, rows, internal


def notify(res: Resources, decisions: list[Decided]) -> None:
    """The decision mails to the units' accounts (``CHISO_NOTIFY_DECISIONS``), queued now
    and sent with whatever else waits: after deciding, so mail never holds a decision up,
    and bounded (a mail server that is down only leaves them waiting for the next run)."""
    from flows.remind import deliver, mail_artifact
    from tasks.mail import plan
    from tasks.mail.compose import Links
    from tasks.mail.outbox import queue

    s = res.settings
    if s.notify_decisions and decisions:
        queue(res.engine, plan.decisions(res.engine, res.units, Links(s.portal_url), decisions))
    if not s.smtp_url:
        return  # nothing can be sent: the mails wait, and the run says nothing of them
    sending = deliver(res)
    if sending.tried:
        mail_artifact(res, sending.tried, sending.stopped)


def report_internal(res: Resources, internal: list[Outcome]) -> None:
    """Each submission rejected for a failure in chiso (or a reader crash): its traceback
    in the operator's log, and the first few in the run's artifact."""
    if not internal:
        return
    log = get_run_logger()
    for o in internal:
        log.error("submission %s rejected by a failure in chiso:\n%s", o.submission_id, o.internal)
    res.events.later(
        create_markdown_artifact,
        key="internal-errors",
        markdown=internal_report(internal),
        description="Tracebacks of submissions chiso failed to decide",
    )
