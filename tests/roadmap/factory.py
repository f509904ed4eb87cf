"""Builders shared by the roadmap tests: fixture paths and proposal files written on the fly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.conftest import FIXTURES

SIMPLE_PARAMS = FIXTURES / "arsenal" / "simple.yaml"
SIMPLE_ROADMAP = FIXTURES / "roadmap" / "simple"
SHIPPED = Path(__file__).resolve().parents[2] / "src" / "dprkwatch" / "roadmap" / "data"


def shipped(proposal_id: str) -> dict[str, Any]:
    """A shipped proposal as a plain mapping, ready to be edited."""
    rows = yaml.safe_load((SHIPPED / "proposals.yaml").read_text("utf-8"))
    for row in rows:
        if row["id"] == proposal_id:
            assert isinstance(row, dict)
            return row
    raise KeyError(proposal_id)


def write_proposals(tmp: Path, *rows: dict[str, Any], name: str = "mine.yaml") -> Path:
    """Write proposal rows as a user's proposal file and return its path."""
    path = tmp / name
    path.write_text(yaml.safe_dump(list(rows), sort_keys=False, default_flow_style=None), "utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for i, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")
