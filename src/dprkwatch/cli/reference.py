"""The command-line reference (``docs/cli.md``), generated from the real ``--help``.

``make docs-cli`` runs ``python -m dprkwatch.cli.reference docs/cli.md``; a
test renders the reference again and fails when the file differs, so the
documentation cannot drift from the commands. The help is rendered at a
fixed width without colour, so the output does not depend on the terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import typer.main
from typer import _click
from typer.core import TyperGroup
from typer.testing import CliRunner

from dprkwatch.cli import app

WIDTH = 100
HEADER = """\
# Command-line reference

Generated from `dprkwatch ... --help` by `make docs-cli`; do not edit by hand
(a test checks that this file matches the commands).
"""
# Rendering must not depend on the caller's terminal or colour settings.
_ENV = {"TERMINAL_WIDTH": str(WIDTH), "COLUMNS": str(WIDTH), "NO_COLOR": "1", "FORCE_COLOR": None}


def command_paths() -> Iterator[list[str]]:
    """Every command and sub-command, as the words typed after ``dprkwatch``."""
    root = typer.main.get_command(app)
    ctx = _click.Context(root, info_name="dprkwatch")

    def walk(group: TyperGroup, path: list[str]) -> Iterator[list[str]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            yield [*path, name]
            if isinstance(command, TyperGroup):
                yield from walk(command, [*path, name])

    assert isinstance(root, TyperGroup)
    yield from walk(root, [])


def help_text(path: list[str]) -> str:
    """What ``dprkwatch <path> --help`` prints, trailing spaces removed."""
    result = CliRunner().invoke(app, [*path, "--help"], env=_ENV, prog_name="dprkwatch")
    if result.exit_code != 0:
        raise RuntimeError(f"dprkwatch {' '.join(path)} --help failed: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.splitlines()).strip("\n")


def render() -> str:
    """The whole reference as Markdown."""
    parts = [HEADER, "```text", help_text([]), "```"]
    for path in command_paths():
        parts += ["", f"## dprkwatch {' '.join(path)}", "", "```text", help_text(path), "```"]
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if len(argv) > 1:
        Path(argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    os.environ.pop("FORCE_COLOR", None)
    raise SystemExit(main(sys.argv))
