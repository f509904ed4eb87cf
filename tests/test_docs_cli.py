"""docs/cli.md is the real ``--help`` of every command (regenerate it with ``make docs-cli``)."""

from __future__ import annotations

from pathlib import Path

from dprkwatch.cli.reference import command_paths, render

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_the_cli_reference_matches_the_commands() -> None:
    expected = render()
    assert DOC.is_file(), "docs/cli.md is missing: run `make docs-cli`"
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/cli.md differs from the commands' --help: run `make docs-cli`"
    )


def test_the_reference_covers_every_command_group() -> None:
    paths = {" ".join(p) for p in command_paths()}
    for command in ("lists import", "screen", "books add", "keys create", "ledger pressure",
                    "arsenal estimate", "maritime detect", "web status", "audit verify"):  # fmt: skip
        assert command in paths
        assert f"## dprkwatch {command}\n" in DOC.read_text(encoding="utf-8")
