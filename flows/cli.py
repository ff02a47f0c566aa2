"""The ``chiso`` command line (Typer); heavy libraries are imported only by the commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="chiso",
    help="chiso (chỉ số): quarterly indicators of Tây Ninh's digital-technology enterprise "
    "plan. Collects unit reports, validates them, stores them and publishes snapshots.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")

HomeOpt = Annotated[Path | None, typer.Option("--home", help="State directory (CHISO_HOME).")]


def _settings(home: Path | None = None) -> object:
    from flows.settings import load_settings

    return load_settings(home)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"chiso: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade(home: HomeOpt = None) -> None:
    """Create or migrate chiso's tables to the latest schema and load the catalog."""
    from flows.resources import Resources

    res = Resources(_settings(home))  # type: ignore[arg-type]
    res.prepare_database()
    from models.db import current_revision

    shown = res.engine.url.render_as_string(hide_password=True)
    typer.echo(f"database at revision {current_revision(res.engine)}: {shown}")


@app.command()
def template(
    unit: Annotated[str, typer.Option("--unit", help="Reporting unit code, e.g. 703.")],
    period: Annotated[str, typer.Option("--period", help="Quarter, e.g. 2025Q3.")],
    out: Annotated[Path | None, typer.Option("--out", help="Output file.")] = None,
) -> None:
    """Write a prefilled XLSX template for one unit and period."""
    from flows.resources import Resources
    from models.catalog import reported_figures
    from models.periods import Period, PeriodError
    from tasks.intake.template import write_template

    try:
        p = Period.parse(period)
    except PeriodError as exc:
        raise _fail(str(exc)) from None
    res = Resources(_settings())  # type: ignore[arg-type]
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
    from flows.run import main_job

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
    from flows.run import backfill_job

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
    from flows.status import show_status

    raise typer.Exit(show_status(period, home))


@app.command()
def withdraw(
    submission: Annotated[str, typer.Option("--submission", help="Submission id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn.")],
    home: HomeOpt = None,
) -> None:
    """Void an accepted submission and republish its period and year."""
    from flows.status import withdraw_submission

    raise typer.Exit(withdraw_submission(submission, reason, home))


def main() -> None:
    """Console-script entry point."""
    app()
