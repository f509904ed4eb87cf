"""Sub-commands imported on first use.

Each capability pulls in heavy libraries (Spark and Polars for maritime,
FastAPI for the service, matplotlib for the arsenal plots). Importing all of
them for every invocation cost about 2.7 s before any work started; with
this group, ``dprkwatch lists import`` loads the lists layer only. ``--help``
still lists every command (and then imports them all).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer import _click  # Typer's own copy of Click (typer >= 0.20)
from typer.core import TyperGroup

# Typer carries its own copy of Click: its classes (TyperGroup, TyperCommand),
# not the ``click`` package's, are the ones commands are built from.


@dataclass(frozen=True)
class Lazy:
    """Where a top-level command lives: ``module:attr``.

    ``attr`` is a Typer app (a command group, or with ``merged`` a set of
    top-level commands) or a plain command function.
    """

    module: str
    attr: str
    merged: bool = False


# Order is the order ``--help`` shows.
COMMANDS: dict[str, Lazy] = {
    "run": Lazy("dprkwatch.cli.run", "run_cmd"),
    "lists": Lazy("dprkwatch.cli.lists", "app"),
    "screen": Lazy("dprkwatch.cli.screen", "screen_cmd"),
    "resolve": Lazy("dprkwatch.cli.resolve", "app"),
    "serve": Lazy("dprkwatch.cli.service", "app", merged=True),
    "rescreen": Lazy("dprkwatch.cli.service", "app", merged=True),
    "books": Lazy("dprkwatch.cli.service", "app", merged=True),
    "keys": Lazy("dprkwatch.cli.service", "app", merged=True),
    "audit": Lazy("dprkwatch.cli.service", "app", merged=True),
    "db": Lazy("dprkwatch.cli.service", "app", merged=True),
    "ledger": Lazy("dprkwatch.cli.ledger", "app"),
    "claims": Lazy("dprkwatch.cli.ledger", "claims_cmd"),
    "arsenal": Lazy("dprkwatch.cli.arsenal", "app"),
    "roadmap": Lazy("dprkwatch.cli.roadmap", "app"),
    "maritime": Lazy("dprkwatch.cli.maritime", "app"),
    "web": Lazy("dprkwatch.cli.web", "app"),
}


def load(ctx: _click.Context, name: str, spec: Lazy) -> Any:
    """Import the module behind ``name`` and build its (Typer-flavoured Click) command."""
    obj: Any = getattr(importlib.import_module(spec.module), spec.attr)
    if isinstance(obj, typer.Typer):
        command = typer.main.get_command(obj)
        if spec.merged:
            if not isinstance(command, TyperGroup):  # pragma: no cover - a wiring mistake
                raise TypeError(f"{spec.module}:{spec.attr} is not a group of commands")
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
        loaded: _click.Command | None = load(ctx, cmd_name, COMMANDS[cmd_name])
        return loaded
