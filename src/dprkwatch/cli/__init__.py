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
from dprkwatch.cli.context import CliState, own_process
from dprkwatch.cli.lazy import LazyGroup
from dprkwatch.exceptions import DprkwatchError
from dprkwatch.private import private_dir

# Sub-commands are listed in ``dprkwatch.cli.lazy.COMMANDS`` and imported on
# first use, so a command pays only for the libraries it needs.
app = typer.Typer(
    name="dprkwatch",
    cls=LazyGroup,
    help="Sanctions screening, maritime evasion detection and a sourced ledger on North Korea.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dprkwatch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="Data directory (default: $DPRKWATCH_HOME or the user-data dir)."
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """dprkwatch command line."""
    cfg = settings_mod.load()
    if data_dir is not None:
        cfg = cfg.with_home(data_dir)
    private_dir(cfg.home)
    ctx.obj = CliState(settings=cfg)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, print domain errors as one line."""
    if argv is None:  # the process is the command's (see ``context.exit_now``)
        own_process()
    try:
        app(args=argv)
    except DprkwatchError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(exc.exit_code)
