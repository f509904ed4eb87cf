"""State shared by every CLI command: the resolved settings."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from dprkwatch.settings import Settings


@dataclass
class CliState:
    settings: Settings


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the root callback resolved (``--data-dir`` applied)."""
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):  # pragma: no cover - only if called outside the app
        raise RuntimeError("dprkwatch CLI state missing")
    return obj.settings
