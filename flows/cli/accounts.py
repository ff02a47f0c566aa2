"""``chiso account``: accounts of the units' door (contract section 8)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from flows.cli.common import HomeOpt, _fail, _resources, app

account_app = typer.Typer(
    help="Accounts of the units' door (portal and API).", no_args_is_help=True
)
app.add_typer(account_app, name="account")


@contextmanager
def _account_errors() -> Iterator[None]:
    """An account request that cannot be done: said, exit 2."""
    from tasks.accounts.store import AccountError

    try:
        yield
    except AccountError as exc:
        raise _fail(str(exc)) from None


@account_app.command("add")
def account_add(
    email: Annotated[str, typer.Option("--email", help="The person's e-mail address.")],
    unit: Annotated[str | None, typer.Option("--unit", help="Reporting unit code.")] = None,
    officer: Annotated[bool, typer.Option("--officer", help="A province-wide officer.")] = False,
    name: Annotated[str | None, typer.Option("--name", help="The person's name.")] = None,
    home: HomeOpt = None,
) -> None:
    """Make an account and print its one-time invitation link (valid 7 days)."""
    from tasks.accounts.store import add_account

    if (unit is None) == (not officer):
        raise _fail("give --unit CODE for a unit account, or --officer")
    res = _resources(home)
    with _account_errors():
        who, token = add_account(res.engine, res.units, email, unit, name)
    url = res.settings.portal_url.rstrip("/")
    typer.echo(
        f"{who.role} account {who.email}" + (f" of unit {who.unit_code}" if who.unit_code else "")
    )
    typer.echo(f"invitation (valid 7 days, shown once): {url}/invite/{token}")


@account_app.command("token")
def account_token(
    email: Annotated[str, typer.Option("--email", help="The account's e-mail address.")],
    home: HomeOpt = None,
) -> None:
    """Print a new API token for the account on the last line (shown once; replaces the old)."""
    from tasks.accounts.store import issue_token

    with _account_errors():
        token = issue_token(_resources(home).engine, email)
    typer.echo("API token (shown once; send it as 'Authorization: Bearer <token>'):")
    typer.echo(token)


@account_app.command("list")
def account_list(home: HomeOpt = None) -> None:
    """Every account: address, role, unit, whether it is enabled and has a password."""
    from tasks.accounts.store import accounts

    for a in accounts(_resources(home).engine):
        state = "enabled" if a.enabled else "disabled"
        pw = "password set" if a.password_hash else "invited"
        token = ", API token" if a.token_hash else ""
        typer.echo(f"{a.email}\t{a.role}\t{a.unit_code or '-'}\t{state}\t{pw}{token}")


@account_app.command("disable")
def account_disable(
    email: Annotated[str, typer.Option("--email", help="The account's e-mail address.")],
    home: HomeOpt = None,
) -> None:
    """Disable the account: its sessions and its token stop working at once."""
    from tasks.accounts.store import disable

    with _account_errors():
        disable(_resources(home).engine, email)
    typer.echo(f"disabled {email}")
