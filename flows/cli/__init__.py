"""The ``chiso`` command line (Typer); heavy libraries are imported only by the commands.
The commands live beside this module: the pipeline's here, ``accounts`` and ``mail``."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.common import HomeOpt, _fail, _resources, app

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(home: HomeOpt = None) -> None:
    """Create or migrate chiso's tables to the latest schema and load the catalog."""
    from models.db import current_revision

    res = _resources(home)

    shown = res.engine.url.render_as_string(hide_password=True)
    typer.echo(f"database at revision {current_revision(res.engine)}: {shown}")


@app.command()
def template(
    unit: Annotated[str, typer.Option("--unit", help="Reporting unit code, e.g. 703.")],
    period: Annotated[str, typer.Option("--period", help="Quarter, e.g. 2025Q3.")],
    out: Annotated[Path | None, typer.Option("--out", help="Output file.")] = None,
) -> None:
    """Write a prefilled XLSX template for one unit and period."""
    from flows.resources import unprepared
    from models.catalog import reported_figures
    from models.periods import Period, PeriodError
    from tasks.intake.template import write_template

    try:
        p = Period.parse(period)
    except PeriodError as exc:
        raise _fail(str(exc)) from None
    res = unprepared()
    found = res.units.find(unit)
    if found is None or found.level == "province":
        raise _fail(f"unknown reporting unit {unit!r} (see {res.settings.units_csv})")
    if not found.valid_on(p.last_day):
        raise _fail(
            f"unit {found.code} ({found.name}) does not report for {p}: valid "
            f"{found.valid_from} to {found.valid_to or 'now'}"
        )
    path = out or Path(f"{found.code}_{p}.xlsx")
    write_template(path, found, p, list(reported_figures(res.indicators).values()))
    typer.echo(f"wrote {path}")


@app.command()
def run(
    inbox: Annotated[
        Path | None,
        typer.Option("--inbox", help="Folder to collect from (replaces CHISO_SOURCES)."),
    ] = None,
    home: HomeOpt = None,
    period: Annotated[str | None, typer.Option("--period", help="Restrict to YYYYQn.")] = None,
) -> None:
    """Collect, validate and store new submissions, then publish every affected period."""
    from flows.cli.run import main_job

    raise typer.Exit(main_job(inbox, home, period))


@app.command()
def backfill(
    start: Annotated[str, typer.Option("--from", help="First quarter, YYYYQn.")],
    end: Annotated[str, typer.Option("--to", help="Last quarter, YYYYQn.")],
    unit: Annotated[
        list[str] | None, typer.Option("--unit", help="Only this unit (repeatable).")
    ] = None,
    reprocess: Annotated[
        str,
        typer.Option(
            "--reprocess", help="none | failed | all: which decided files to validate again."
        ),
    ] = "none",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would run.")] = False,
    home: HomeOpt = None,
) -> None:
    """Recollect, optionally re-validate, and republish a range of quarters (idempotent)."""
    from flows.cli.run import backfill_job

    raise typer.Exit(backfill_job(start, end, unit or [], reprocess, dry_run, home))


@app.command()
def status(
    period: Annotated[
        str | None,
        typer.Option("--period", help="Quarter YYYYQn (default: the latest that has ended)."),
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Completeness and timeliness per unit for a quarter."""
    from flows.cli.status import show_status

    raise typer.Exit(show_status(period, home))


@app.command()
def withdraw(
    submission: Annotated[str, typer.Option("--submission", help="Submission id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn.")],
    home: HomeOpt = None,
) -> None:
    """Void an accepted submission and republish its period and year."""
    from flows.cli.status import withdraw_submission

    raise typer.Exit(withdraw_submission(submission, reason, home))


@app.command()
def feedback(
    submission: Annotated[str, typer.Option("--submission", help="Submission id.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the page here (default: the JSON on stdout)."),
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Show a submission's feedback report: its JSON, or its page (--out FILE.html)."""
    from sqlmodel import Session

    from models.submission import Submission
    from tasks.decide.feedback import feedback_key, to_html

    res = _resources(home)
    with Session(res.engine) as s:
        sub = s.get(Submission, submission)
    if sub is None:
        raise _fail(f"no submission {submission!r}")
    if sub.status == "received":
        raise _fail(f"submission {submission} is not decided yet")
    data = res.store.get(feedback_key(sub.path_unit, sub.path_period, sub.id, "json"))
    if out is None:
        typer.echo(data.decode("utf-8"))
        return
    import json

    out.write_bytes(to_html(json.loads(data)))
    typer.echo(f"wrote {out}")


@app.command()
def portal(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8080,
    home: HomeOpt = None,
) -> None:
    """Serve the units' portal: pages for people and the JSON API (contract section 8)."""
    import uvicorn

    from flows.portal import build_portal
    from flows.settings import quiet_offline
    from portal.app import create_app

    quiet_offline()
    app_ = create_app(build_portal(_resources(home)))
    # uvicorn shuts down on SIGTERM, then raises the signal again for the handler it found:
    # Python's default one would end the process at once, leaving Prefect's temporary API
    # (a child process, stopped at exit) running. This one ends it as an exit does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(app_, host=host, port=port, log_level="info", proxy_headers=True)


def main() -> None:
    """Console-script entry point."""
    app()


# the other rooms' commands join the app
from flows.cli import accounts, mail  # noqa: E402, F401
