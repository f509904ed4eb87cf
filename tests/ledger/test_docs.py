"""docs/ledger.md stays in step with the code: schema tables and command list."""

from __future__ import annotations

import re
from pathlib import Path

from dprkwatch.cli.ledger import app
from dprkwatch.ledger import load_ledger
from dprkwatch.ledger.loader import FILES
from dprkwatch.ledger.schema import BEGIN, END, schema_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def test_schema_section_matches_the_models() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(BEGIN) : text.index(END) + len(END)] + "\n"
    assert section == schema_markdown(), (
        "run `dprkwatch ledger schema` and paste it into docs/ledger.md"
    )


def test_every_command_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for command in app.registered_commands:
        assert f"ledger {command.name}" in text or f"`{command.name}`" in text, command.name
    assert "dprkwatch claims" in text


def test_file_table_row_counts() -> None:
    text = DOC.read_text(encoding="utf-8")
    ledger = load_ledger()
    for name in FILES:
        m = re.search(rf"\| `{re.escape(name)}` \| (\d+) \|", text)
        assert m is not None, name
        assert int(m.group(1)) == len(getattr(ledger, name.removesuffix(".yaml"))), name
