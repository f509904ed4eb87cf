"""State shared by every CLI command: the resolved settings, and whether the process is ours."""

from __future__ import annotations

import os
import sys
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


# Whether this process runs the command line and nothing else (set by the
# console-script entry point; tests and other callers run the app in-process).
_PROCESS = {"owned": False}


def own_process() -> None:
    """Mark this process as the command's own: it may end without tearing down."""
    _PROCESS["owned"] = True


def exit_now() -> None:
    """End the process at once after a command that filled memory, when the process is ours.

    A resolution run leaves millions of small objects (listings, candidates,
    the screening index); freeing them one by one and tearing the interpreter
    down took about half a second of a re-run, for nothing. Output is flushed
    and forked children (a cache writer) are waited for first. In-process
    callers (tests) just return.
    """
    if not _PROCESS["owned"]:
        return
    forked = sys.modules.get("multiprocessing")  # not imported: nothing was forked through it
    if forked is not None:
        for child in forked.active_children():
            child.join()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
