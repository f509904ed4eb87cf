"""Sub-commands imported on first use.

Each capability pulls in heavy libraries (Spark and Polars for maritime,
FastAPI for the service, matplotlib for the arsenal plots). Importing all of
them for every invocation cost about 2.7 s before any work started; with
this group, ``dprkwatch lists import`` loads the lists layer only. ``--help``
still lists every command (and then imports them all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import typer
import typer.main
from typer import _click  # Typer's own copy of Click (typer >= 0.20)
from typer.core import TyperGroup

# Typer carries its own copy of Click: its classes (TyperGroup, TyperCommand),
# not the ``click`` package's, are the ones commands are built from.


Command = typer.Typer | Callable[..., None]


@dataclass(frozen=True)
class Lazy:
    """How to get a top-level command: ``load`` imports its module and returns it.

    The result is a Typer app (a command group, or with ``merged`` a set of
    top-level commands) or a plain command function.
    """

    load: Callable[[], Command]
    merged: bool = False


# One plain import per capability, run only when its command is asked for.
def _run() -> Command:
    from dprkwatch.cli.run import run_cmd

    return run_cmd


def _lists() -> Command:
    from dprkwatch.cli.lists import app

    return app


def _screen() -> Command:
    from dprkwatch.cli.screen import screen_cmd

    return screen_cmd


def _resolve() -> Command:
    from dprkwatch.cli.resolve import app

    return app


def _service() -> Command:
    from dprkwatch.cli.service import app

    return app


def _ledger() -> Command:
    from dprkwatch.cli.ledger import app

    return app


def _claims() -> Command:
    from dprkwatch.cli.ledger import claims_cmd

    return claims_cmd


def _arsenal() -> Command:
    from dprkwatch.cli.arsenal import app

    return app


def _roadmap() -> Command:
    from dprkwatch.cli.roadmap import app

    return app


def _maritime() -> Command:
    # Before Polars is first imported: its allocator reads its options once.
    from dprkwatch.cli.allocator import keep_freed_pages

    keep_freed_pages()
    from dprkwatch.cli.maritime import app

    return app


def _web() -> Command:
    from dprkwatch.cli.web import app

    return app


# Order is the order ``--help`` shows.
COMMANDS: dict[str, Lazy] = {
    "run": Lazy(_run),
    "lists": Lazy(_lists),
    "screen": Lazy(_screen),
    "resolve": Lazy(_resolve),
    "serve": Lazy(_service, merged=True),
    "rescreen": Lazy(_service, merged=True),
    "books": Lazy(_service, merged=True),
    "keys": Lazy(_service, merged=True),
    "audit": Lazy(_service, merged=True),
    "db": Lazy(_service, merged=True),
    "ledger": Lazy(_ledger),
    "claims": Lazy(_claims),
    "arsenal": Lazy(_arsenal),
    "roadmap": Lazy(_roadmap),
    "maritime": Lazy(_maritime),
    "web": Lazy(_web),
}


def load(ctx: _click.Context, name: str, spec: Lazy) -> _click.Command | None:
    """Import the module behind ``name`` and build its (Typer-flavoured Click) command."""
    obj = spec.load()
    if isinstance(obj, typer.Typer):
        command = typer.main.get_command(obj)
        if spec.merged:
            if not isinstance(command, TyperGroup):  # pragma: no cover - a wiring mistake
                raise TypeError(f"the commands of {name!r} are not a group")
            return command.get_command(ctx, name)
        command.name = name
        return command
    single = typer.Typer(add_completion=False)
    single.command(name)(obj)
    command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """The root group: eager commands first, then :data:`COMMANDS` on demand."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        eager = super().list_commands(ctx)
        return [*eager, *(n for n in COMMANDS if n not in eager)]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in COMMANDS:
            return command
        return load(ctx, cmd_name, COMMANDS[cmd_name])
