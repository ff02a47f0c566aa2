"""What every ``chiso`` command shares: the Typer app, ``--home``, resources, errors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from flows.resources import Resources

app = typer.Typer(
    name="chiso",
    help="chiso (chỉ số): quarterly indicators of Tây Ninh's digital-technology enterprise "
    "plan. Collects unit reports, validates them, stores them and publishes snapshots.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

HomeOpt = Annotated[Path | None, typer.Option("--home", help="State directory (CHISO_HOME).")]


def _resources(home: Path | None = None) -> Resources:
    """The resources of the settings, the database migrated and the catalog loaded."""
    from flows.resources import resources

    return resources(home)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"chiso: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)
