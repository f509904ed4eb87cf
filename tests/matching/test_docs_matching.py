"""docs/matching.md stays in step with the code: options, threshold, features."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from dprkwatch.cli.screen import screen_cmd
from dprkwatch.matching.algorithms import ALGORITHMS, DEFAULT_ALGORITHM
from dprkwatch.matching.batch_files import OUTPUT_COLUMNS
from dprkwatch.matching.subjects import COLUMNS

# Aliases accepted for convenience, documented by their main spelling.
ALIASES = {"dob"}

DOC = Path(__file__).resolve().parents[2] / "docs" / "matching.md"


def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_screen_option_is_documented() -> None:
    app = typer.Typer(add_completion=False)
    app.command()(screen_cmd)
    click_cmd = typer.main.get_command(app)
    options = {opt for p in click_cmd.params for opt in p.opts if opt.startswith("--")}
    missing = sorted(o for o in options if f"`{o}`" not in doc())
    assert missing == []


def test_threshold_and_algorithm_are_the_documented_ones() -> None:
    text = doc()
    assert (
        f"- Algorithm: `{DEFAULT_ALGORITHM}`, threshold **{ALGORITHMS[DEFAULT_ALGORITHM].threshold:.2f}**"
        in text
    )
    for name, algo in ALGORITHMS.items():
        assert f"`{name}`" in text and f"threshold {algo.threshold:.2f}" in text, name


def test_batch_columns_are_documented() -> None:
    text = doc()
    for column in OUTPUT_COLUMNS:
        assert column in text
    for column in set(COLUMNS) - ALIASES:
        assert f"`{column}`" in text, column


def test_every_feature_name_is_documented() -> None:
    source = (
        Path(__file__).resolve().parents[2] / "src" / "dprkwatch" / "matching" / "algorithms.py"
    ).read_text(encoding="utf-8")
    names = set(re.findall(r'"((?:name|id)\.[a-z_]+)"', source)) | set(
        re.findall(r'\("([a-z_]+)", F\.', source)
    )
    names |= {f"id.{kind}" for kind in ("imo", "mmsi", "document", "wallet")}
    missing = sorted(n for n in names if f"`{n}`" not in doc())
    assert missing == []
