"""The ``dprkwatch`` command line: one Typer app, one sub-app per capability.

Each command is a few lines over a library call. User mistakes surface as
:class:`~dprkwatch.exceptions.DprkwatchError` and are printed as one line on
stderr with a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dprkwatch import __version__
from dprkwatch import settings as settings_mod
from dprkwatch.cli.arsenal import app as arsenal_app
from dprkwatch.cli.context import CliState
from dprkwatch.cli.ledger import app as ledger_app
from dprkwatch.cli.ledger import claims_cmd
from dprkwatch.cli.lists import app as lists_app
from dprkwatch.cli.maritime import app as maritime_app
from dprkwatch.cli.run import run_cmd
from dprkwatch.cli.screen import screen_cmd
from dprkwatch.cli.service import app as service_app
from dprkwatch.cli.web import app as web_app
from dprkwatch.exceptions import DprkwatchError

app = typer.Typer(
    name="dprkwatch",
    help="Sanctions screening, maritime evasion detection and a sourced ledger on North Korea.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(lists_app, name="lists")
app.add_typer(ledger_app, name="ledger")
app.command("claims")(claims_cmd)
app.add_typer(arsenal_app, name="arsenal")
app.add_typer(maritime_app, name="maritime")
app.command("run")(run_cmd)
app.command("screen")(screen_cmd)
app.add_typer(service_app)  # serve, rescreen, books, keys, audit, db
app.add_typer(web_app, name="web")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dprkwatch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Data directory (default: $DPRKWATCH_HOME or the user-data dir)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """dprkwatch command line."""
    cfg = settings_mod.load()
    if data_dir is not None:
        cfg = cfg.with_home(data_dir)
    ctx.obj = CliState(settings=cfg)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, print domain errors as one line."""
    try:
        app(args=argv)
    except DprkwatchError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(exc.exit_code)
