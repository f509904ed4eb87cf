"""Shared test builders (not a dumping ground: only things several test modules need)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dprkwatch.cli import main


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> CliResult:
    """Run ``dprkwatch ARGS`` in-process and capture exit code, stdout and stderr."""
    capsys.readouterr()
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)
