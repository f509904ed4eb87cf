"""docs/maritime.md stays in step with the rules, quality reasons, event columns, risk weights and CLI."""

from __future__ import annotations

import re
from pathlib import Path

from dprkwatch.cli.maritime import app
from dprkwatch.maritime import EVENTS, Rules
from dprkwatch.maritime.ingest import NOTES, REASONS
from dprkwatch.maritime.risk import ALGORITHM, WEIGHTS

DOC = Path(__file__).resolve().parents[2] / "docs" / "maritime.md"


def _rows() -> dict[str, list[str]]:
    text = DOC.read_text("utf-8")
    return {
        m.group(1): [c.strip() for c in m.group(2).split("|")]
        for m in re.finditer(r"^\| `([a-z_]+)` \|(.*)\|$", text, re.MULTILINE)
    }


def test_rules_table_matches_the_code() -> None:
    rows = _rows()
    for rule in Rules.describe():
        default, unit, meaning, origin = rows[rule["name"]][:4]
        assert float(default) == rule["default"], rule["name"]
        assert (unit, meaning, origin) == (rule["unit"], rule["meaning"], rule["origin"]), rule[
            "name"
        ]


def test_every_quality_reason_is_documented() -> None:
    rows = _rows()
    for reason in REASONS:
        assert rows[reason][0] == "skipped", reason
    for note in NOTES:
        assert rows[note][0] == "note", note


def test_event_columns_and_risk_weights() -> None:
    text = DOC.read_text("utf-8")
    rows = _rows()
    for column in EVENTS:
        assert f"`{column}`" in text, column
    for code, (points, cap) in WEIGHTS.items():
        assert rows[code][0].split()[0] == str(int(points)) and rows[code][1] == str(int(cap)), code
    assert ALGORITHM in text


def test_every_command_is_documented() -> None:
    text = DOC.read_text("utf-8")
    names = [c.name for c in app.registered_commands]
    assert len(names) == 7
    for name in names:
        assert f"dprkwatch maritime {name}" in text, name
