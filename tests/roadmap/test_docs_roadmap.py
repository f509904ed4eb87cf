"""docs/roadmap.md against the code: every id documented, the worked example's figures current."""

from __future__ import annotations

from pathlib import Path

import pytest

from dprkwatch.arsenal import load_model
from dprkwatch.roadmap import evaluate, load_roadmap

DOC = Path(__file__).resolve().parents[2] / "docs" / "roadmap.md"
README = Path(__file__).resolve().parents[2] / "README.md"


def _band(low: float, median: float, high: float) -> str:
    return f"{median:.1f} ({low:.1f}-{high:.1f})"


def test_every_proposal_definition_and_command_is_documented() -> None:
    text = DOC.read_text("utf-8")
    rm = load_roadmap()
    for row in (*rm.proposals, *rm.definitions):
        assert f"`{row.id}`" in text, row.id
    for command in ("definitions", "assets", "proposals", "evaluate", "shares", "plot", "check"):
        assert f"dprkwatch roadmap {command}" in text, command
    assert "(docs/roadmap.md)" in README.read_text("utf-8")
    assert (DOC.parent / "img" / "roadmap-hanoi.png").stat().st_size < 100_000


@pytest.mark.parametrize("pid", ["hanoi-dprk-offer", "leap-day-2012", "agreed-framework-1994"])
def test_documented_figures_are_the_models(pid: str) -> None:
    """The side-by-side table and the worked example quote the default model (200,000 draws)."""
    text = DOC.read_text("utf-8")
    rm = load_roadmap()
    got = evaluate(load_model(), rm, [rm.proposal(pid)], by=2026).results[0].values
    bands = [
        _band(got[n].low, got[n].median, got[n].high) for n in ("prevented", "remaining", "held")
    ]
    rows = [line for line in text.splitlines() if line.startswith(f"| `{pid}` | ")]
    assert any(all(b in row for b in bands) for row in rows), (
        f"docs/roadmap.md is stale for {pid}: the model now gives {bands}; run "
        "`dprkwatch roadmap evaluate` and `dprkwatch roadmap shares` and update the tables "
        "and the worked example",
        rows,
    )
    if pid == "hanoi-dprk-offer":
        p = got["prevented"]
        assert f"**{p.median:.1f}\n({p.low:.1f}-{p.high:.1f})**" in text or (
            f"**{_band(p.low, p.median, p.high)}**" in text.replace("\n", " ")
        )
