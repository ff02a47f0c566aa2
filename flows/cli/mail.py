"""``chiso remind`` and ``chiso mail``: reminders, the officers' digest and the outbox
(contract section 9)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from flows.cli.common import HomeOpt, _fail, _resources, app


@app.command()
def remind(
    today: Annotated[
        str | None,
        typer.Option("--today", help="Act as of this day, YYYY-MM-DD (default: today, Vietnam)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list who would get what; send nothing.")
    ] = False,
    home: HomeOpt = None,
) -> None:
    """Remind units that have not reported, send the officers' digest, send the outbox."""
    from flows.remind import remind as run_remind
    from flows.settings import quiet_offline
    from models.periods import local_today

    quiet_offline()
    try:
        day = date.fromisoformat(today) if today else local_today()
    except ValueError:
        raise _fail(f"--today must be a date YYYY-MM-DD, not {today!r}") from None
    res = _resources(home)
    try:
        done = run_remind(res, day, dry_run)
    except ValueError as exc:  # CHISO_SMTP_URL that is not an address
        raise _fail(str(exc)) from None
    if dry_run:
        typer.echo(f"{day}: would queue {len(done['would_queue'])} mail(s) (dry run)")
        for d in done["would_queue"]:
            what = f"{d.period} day {d.reminder_day:+d}" if d.reminder_day is not None else d.period
            typer.echo(f"  {d.kind}\t{d.recipient}\t{d.unit_code or '-'}\t{what}")
        return
    outbox = done["outbox"]
    typer.echo(
        f"{day}: queued {done['queued']}, sent {done['sent']}, to retry {done['retry']}, "
        f"dropped {done['dropped']}; outbox: "
        + ", ".join(f"{k} {outbox.get(k, 0)}" for k in ("waiting", "sent", "failed"))
    )
    if done["stopped"]:
        typer.echo(f"sending stopped: {done['stopped']}")


@app.command("mail")
def mail_list(
    state: Annotated[
        str | None,
        typer.Option("--state", help="Only mails in this state (waiting, sent, failed, …)."),
    ] = None,
    home: HomeOpt = None,
) -> None:
    """List the outbox: every mail chiso queued, its state, attempts and last error."""
    from sqlmodel import Session, col, select

    from models.mail import Mail

    res = _resources(home)
    with Session(res.engine) as s:
        q = select(Mail).order_by(col(Mail.id))
        if state:
            q = q.where(Mail.state == state)
        for m in s.exec(q):
            day = "" if m.reminder_day is None else f"{m.reminder_day:+d}"
            typer.echo(
                f"{m.id}\t{m.state}\t{m.kind}\t{m.recipient}\t{m.unit_code or '-'}\t"
                f"{m.period or '-'}\t{day}\t{m.attempts}\t{m.last_error or ''}"
            )
