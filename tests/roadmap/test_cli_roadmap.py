"""``dprkwatch roadmap``: end to end in-process."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from dprkwatch.arsenal import load_model
from dprkwatch.roadmap import evaluate, load_roadmap
from tests.factory import run_cli
from tests.roadmap.factory import line_of, shipped, write_proposals

DRAWS = ("--draws", "5000")


def test_evaluate_json_is_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(
        capsys, "roadmap", "evaluate", "hanoi-dprk-offer", "leap-day-2012", "--json", *DRAWS
    )
    assert r.code == 0, r.err
    got = orjson.loads(r.out)
    rm = load_roadmap()
    want = evaluate(
        load_model(draws=5000), rm, [rm.proposal("hanoi-dprk-offer"), rm.proposal("leap-day-2012")]
    ).to_dict(rm)
    assert orjson.loads(orjson.dumps(want)) == got
    assert [p["id"] for p in got["proposals"]] == ["hanoi-dprk-offer", "leap-day-2012"]


def test_evaluate_table_names_every_proposal(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "roadmap", "evaluate", "--by", "2030", *DRAWS)
    assert r.code == 0, r.err
    for pid in (
        "agreed-framework-1994",
        "hanoi-dprk-offer",
        "us-big-deal-2019",
        "freeze-for-freeze-2017",
    ):
        assert pid in r.out
    assert "held at the end of 2030" in r.out and "uncovered: enrichment.kangson;" in r.out


def test_bad_proposal_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = shipped("hanoi-dprk-offer")
    row["id"] = "mine"
    row["phases"][0]["relief"][2]["resolution"] = "unscr-2372"
    path = write_proposals(tmp_path, row)
    r = run_cli(capsys, "roadmap", "evaluate", "--proposals", str(path), *DRAWS)
    assert r.code == 2 and r.out == ""
    assert r.err == (
        f"error: {path}:line {line_of(path, 'unscr-2372')}: phase dismantle-yongbyon: "
        "unknown resolution 'unscr-2372' (not in the ledger)\n"
    )
    r = run_cli(capsys, "roadmap", "check", str(path))
    assert r.code == 2 and r.err.count("\n") == 1
    row["phases"][0]["relief"][2]["resolution"] = "unscr-2371"
    good = write_proposals(tmp_path, row, name="good.yaml")
    r = run_cli(capsys, "roadmap", "check", str(good))
    assert r.code == 0 and "ok (1 proposal: mine)" in r.out
    r = run_cli(capsys, "roadmap", "evaluate", "nope", *DRAWS)
    assert r.code == 4 and "unknown proposal 'nope'" in r.err


def test_definitions_proposals_assets(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "roadmap", "definitions", "--json")
    defs = {d["id"]: d for d in orjson.loads(r.out)}
    assert {"un-cvid", "dprk-peninsula", "production-freeze", "test-freeze"} <= set(defs)
    assert "us-extended-deterrence" in defs["dprk-peninsula"]["assets"]
    r = run_cli(capsys, "roadmap", "proposals", "hanoi-dprk-offer")
    assert r.code == 0 and "dismantle  yongbyon-uep" in r.out and "unscr-2397 (economic)" in r.out
    r = run_cli(capsys, "roadmap", "proposals", "--json")
    assert len(orjson.loads(r.out)) == len(load_roadmap().proposals)
    r = run_cli(capsys, "roadmap", "assets", "--json")
    assets = {a["id"]: a for a in orjson.loads(r.out)}
    assert (
        assets["kangson"]["model"] == "enrichment.kangson"
        and assets["kangson"]["location"]["lat"] == 38.957
    )
    r = run_cli(capsys, "roadmap", "assets")
    assert r.code == 0 and "punggye-ri" in r.out


def test_shares_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "roadmap", "shares", "--json", *DRAWS)
    assert r.code == 0, r.err
    got = orjson.loads(r.out)
    assert got["from"] == "2019-02-28" and got["to"] == "2026-12-31"
    assert {a["id"]: a["status"] for a in got["assessments"]}["albright-2019"] == "below"
    out = tmp_path / "t.png"
    r = run_cli(
        capsys, "roadmap", "plot", "-o", str(out), "hanoi-dprk-offer", "--from", "2015", *DRAWS
    )
    assert r.code == 0, r.err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = run_cli(capsys, "roadmap", "plot", "-o", str(tmp_path / "t.gif"), *DRAWS)
    assert r.code == 2 and "unsupported plot format 'gif'" in r.err
