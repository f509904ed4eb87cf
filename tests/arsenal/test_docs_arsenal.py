"""docs/arsenal.md stays in step with the parameter file and the CLI."""

from __future__ import annotations

import re
from pathlib import Path

from dprkwatch.arsenal import load_parameters
from dprkwatch.cli.arsenal import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "arsenal.md"


def test_assumptions_table_matches_the_parameter_file() -> None:
    text = DOC.read_text("utf-8")
    rows = {
        m.group(1): [c.strip() for c in m.group(2).split("|")]
        for m in re.finditer(r"^\| `([a-z0-9_.]+)` \|(.*)\|$", text, re.MULTILINE)
    }
    ranges = load_parameters().ranges()
    for pid, r in ranges.items():
        assert pid in rows, f"{pid} missing from docs/arsenal.md"
        value, low, high, unit, confidence, sources = rows[pid][:6]
        assert float(value.split()[0]) == r.value, pid
        assert (float(low), float(high)) == (r.lo, r.hi), pid
        assert (unit, confidence) == (r.unit, r.confidence), pid
        assert sources == (", ".join(r.source) or "-"), pid


def test_every_command_is_documented() -> None:
    text = DOC.read_text("utf-8")
    names = [c.name for c in app.registered_commands]
    assert names
    for name in names:
        assert f"dprkwatch arsenal {name}" in text, name
