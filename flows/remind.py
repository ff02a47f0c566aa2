"""The ``remind-units`` flow and ``chiso remind``: reminders to units that have not
reported, the officers' digest after a due date, and the outbox sent (contract v4,
section 9). ``deliver`` is also how processing sends its decision mails."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_table_artifact

from flows.heartbeats import flow
from flows.resources import Resources, resources
from models.periods import local_today
from tasks.mail import plan
from tasks.mail.compose import Links
from tasks.mail.outbox import Draft, counts, known, queue, rows_of
from tasks.mail.smtp import Sending, send_outbox


def due_mails(res: Resources, today: date) -> list[Draft]:
    """The reminders and digests that are due on ``today``."""
    s = res.settings
    links = Links(s.portal_url)
    return plan.reminders(
        res.engine, res.units, links, today, s.remind_day_list, s.timely_days
    ) + plan.digests(res.engine, res.units, links, today, s.timely_days, res.groups)


def deliver(res: Resources, today: date | None = None) -> Sending:
    """Send what waits in the outbox (within the run's two minutes for mail)."""
    s = res.settings
    day = today or local_today()
    return send_outbox(
        res.engine,
        s.smtp_url,
        s.mail_from,
        still_due=plan.still_due(res.engine, res.units, day, s.timely_days),
    )


def remind(res: Resources, today: date, dry_run: bool = False) -> dict[str, Any]:
    """Queue what is due on ``today`` (at most once each), then send the outbox; with
    ``dry_run`` only say what would be queued."""
    drafts = due_mails(res, today)
    if dry_run:
        queued_before = known(res.engine, [d.once for d in drafts])
        return {
            "today": today.isoformat(),
            "would_queue": [d for d in drafts if d.once not in queued_before],
        }
    queued = queue(res.engine, drafts)  # the outbox's unique key leaves out the known
    sending = deliver(res, today)
    return {
        "today": today.isoformat(),
        "queued": queued,
        "sent": len(sending.sent),
        "retry": len(sending.retry),
        "dropped": len(sending.dropped),
        "stopped": sending.stopped,
        "outbox": counts(res.engine),
        "touched": sending.tried,
    }


def mail_artifact(res: Resources, touched: list[int], stopped: str | None) -> None:
    """The run's ``mail`` table in the Prefect UI: the mails it tried, and the outbox's
    counts (sent, waiting, failed) in the description."""
    outbox = counts(res.engine)
    described = ", ".join(f"{k} {outbox.get(k, 0)}" for k in ("sent", "waiting", "failed"))
    res.events.later(
        create_table_artifact,
        key="mail",
        table=rows_of(res.engine, touched) or [{"mail": "none tried this run"}],
        description=f"Outbox: {described}" + (f". Stopped: {stopped}" if stopped else ""),
    )


@flow(name="remind-units")
def remind_units(
    today: str | None = None, dry_run: bool = False, home: str | None = None
) -> dict[str, Any]:
    """Remind the units that have not reported, send the officers' digest, send the outbox.

    Args:
        today: The day to act as of (YYYY-MM-DD; default: today in Vietnam).
        dry_run: Only list who would get what; nothing is queued or sent.
        home: chiso's state directory (default: CHISO_HOME).
    """
    res = resources(home)
    day = date.fromisoformat(today) if today else local_today()
    with res.events.run():
        done = remind(res, day, dry_run)
        if dry_run:
            get_run_logger().info("would queue %d mails", len(done["would_queue"]))
            return {"today": done["today"], "would_queue": len(done["would_queue"])}
        mail_artifact(res, done["touched"], done["stopped"])
    get_run_logger().info(
        "%d queued, %d sent, %d to retry%s",
        done["queued"],
        done["sent"],
        done["retry"],
        f" ({done['stopped']})" if done["stopped"] else "",
    )
    return {k: v for k, v in done.items() if k != "touched"}
