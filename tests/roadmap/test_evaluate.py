"""The evaluator on the shipped data: what each proposal stops, reproducibly, traceably."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dprkwatch.arsenal import load_model, load_parameters
from dprkwatch.roadmap import Evaluation, Roadmap, evaluate, load_roadmap
from tests.roadmap.factory import shipped, write_proposals

DRAWS = 20_000


@pytest.fixture(scope="module")
def roadmap() -> Roadmap:
    return load_roadmap()


@pytest.fixture(scope="module")
def ev(roadmap: Roadmap) -> Evaluation:
    return evaluate(load_model(draws=DRAWS), roadmap, by=2026)


def test_every_proposal_is_evaluated_side_by_side(ev: Evaluation, roadmap: Roadmap) -> None:
    assert [r.proposal.id for r in ev.results] == [p.id for p in roadmap.proposals]
    for r in ev.results:
        if not r.values:
            continue
        assert 0 <= r.values["prevented"].low <= r.values["prevented"].median
        assert r.values["share"].low >= 0 and r.values["share"].high <= 1
        assert r.values["prevented"].median <= r.values["window"].median + 1e-6
    assert ev.result("freeze-for-freeze-2017").values == {}  # tests only: no production covered
    big = ev.result("us-big-deal-2019")
    assert big.values["held"].high == 0 and big.values["share"].low == pytest.approx(1)
    assert big.coverage.uncovered == []


def test_hanoi_leaves_kangson_running(ev: Evaluation) -> None:
    hanoi = ev.result("hanoi-dprk-offer")
    assert hanoi.coverage.uncovered == ["enrichment.kangson"]
    assert "undeclared-enrichment" in hanoi.coverage.unmodelled
    prevented, remaining = hanoi.values["prevented"], hanoi.values["remaining"]
    assert 10 < prevented.median < 40 and remaining.median > 0 and remaining.low == 0
    # a freeze of every production site from mid-2019 stops everything the model makes after it
    freeze = ev.result("production-freeze-2019")
    assert freeze.values["remaining"].high == pytest.approx(0, abs=1e-6)
    assert freeze.values["prevented"].median > prevented.median


def test_history_order_of_what_each_deal_would_have_stopped(ev: Evaluation) -> None:
    def med(pid: str) -> float:
        return ev.result(pid).values["prevented"].median

    # the Leap Day deal covered enrichment at Yongbyon seven years before Hanoi
    assert (
        med("leap-day-2012")
        > med("hanoi-dprk-offer")
        > med("agreed-framework-1994")
        > med("six-party-2007")
    )
    af = ev.result("agreed-framework-1994")
    assert set(af.coverage.uncovered) == {"enrichment.yongbyon", "enrichment.kangson"}
    assert af.values["pu_remaining"].high == 0  # every gram of plutonium after 1994 prevented


def test_same_seed_same_numbers_other_seed_other_numbers(roadmap: Roadmap) -> None:
    one = evaluate(load_model(draws=5_000, seed=7), roadmap).to_dict(roadmap)
    two = evaluate(load_model(draws=5_000, seed=7, workers=1), roadmap).to_dict(roadmap)
    three = evaluate(load_model(draws=5_000, seed=8), roadmap).to_dict(roadmap)
    assert one == two
    assert one["proposals"][3]["results"] != three["proposals"][3]["results"]


def test_covered_capacity_traces_to_sourced_asset_rows(ev: Evaluation, roadmap: Roadmap) -> None:
    for r in ev.results:
        data = r.to_dict(roadmap)
        for cov in data["covered"]:
            assert cov["assets"], cov
            phase = next(ph for ph in r.proposal.phases if ph.id == cov["phase"])
            for row in cov["assets"]:
                asset = roadmap.asset(row["id"])
                assert asset.model == cov["component"]
                assert row["id"] in {a for _, a in phase.actions()}
                assert row["sources"] and all(roadmap.source(s) for s in row["sources"])


def test_dropping_an_asset_row_uncovers_its_capacity(tmp_path: Path, roadmap: Roadmap) -> None:
    row: dict[str, Any] = shipped("hanoi-dprk-offer")
    row["id"] = "hanoi-without-enrichment"
    row["phases"][0]["dismantle"].remove("yongbyon-uep")
    path = write_proposals(tmp_path, row)
    rm = load_roadmap(proposal_files=[path])
    model = load_model(draws=DRAWS)
    ev = evaluate(
        model, rm, [rm.proposal("hanoi-dprk-offer"), rm.proposal("hanoi-without-enrichment")]
    )
    full, partial = ev.results
    assert partial.coverage.uncovered == ["enrichment.yongbyon", "enrichment.kangson"]
    assert partial.values["prevented"].median < full.values["prevented"].median / 2
    assert partial.origin == str(path)


def test_definition_shares(ev: Evaluation) -> None:
    def shares(pid: str) -> dict[str, float]:
        return {d.definition.id: d.share(d.stopped) for d in ev.result(pid).definitions}

    big, hanoi, f4f = (
        shares("us-big-deal-2019"),
        shares("hanoi-dprk-offer"),
        shares("freeze-for-freeze-2017"),
    )
    assert big["un-cvid"] == 1.0 and big["production-freeze"] == 1.0
    assert big["dprk-peninsula"] < 1.0  # nothing in it touches the US umbrella
    assert 0 < hanoi["un-cvid"] < 0.5 and hanoi["test-freeze"] > hanoi["production-freeze"]
    assert f4f["production-freeze"] == 0 and f4f["test-freeze"] > 0
    dprk = next(
        d
        for d in ev.result("freeze-for-freeze-2017").definitions
        if d.definition.id == "dprk-peninsula"
    )
    assert "us-rok-exercises" in dprk.stopped  # the other side's suspension counts


def test_relief_and_its_pressure_cost(ev: Evaluation) -> None:
    hanoi = ev.result("hanoi-dprk-offer").relief
    assert [r.id for r, _, _ in hanoi.resolutions] == [
        "unscr-2270",
        "unscr-2321",
        "unscr-2371",
        "unscr-2375",
        "unscr-2397",
    ]
    kinds = {m.kind.value for _, m in hanoi.measures}
    assert "designation" not in kinds and "inspection" not in kinds and "cap" in kinds
    assert hanoi.revenue_musd == 800 + 1000 + 752
    assert hanoi.unquantified == ["unscr-2270", "unscr-2397"]
    assert any("89 percent" in line for line in hanoi.imports)
    big = ev.result("us-big-deal-2019").relief
    assert len(big.resolutions) == 11 and any(
        m.kind.value == "designation" for _, m in big.measures
    )
    assert ev.result("production-freeze-2019").relief.resolutions == []


def test_trajectories_with_and_without(roadmap: Roadmap) -> None:
    ev = evaluate(
        load_model(draws=5_000),
        roadmap,
        [roadmap.proposal("hanoi-dprk-offer")],
        trajectory_years=range(2017, 2027),
    )
    base, hanoi = ev.trajectories["baseline"], ev.trajectories["hanoi-dprk-offer"]
    assert [r["year"] for r in base] == list(range(2017, 2027))
    assert base[0] == hanoi[0]  # identical before the deal
    assert hanoi[-1]["p50"] < base[-1]["p50"]


def test_the_four_sites_variant_adds_capacity_hanoi_leaves_running(roadmap: Roadmap) -> None:
    params = load_parameters()
    model = load_model(overrides=params.variant("four-sites"), draws=DRAWS)
    (hanoi,) = evaluate(model, roadmap, [roadmap.proposal("hanoi-dprk-offer")]).results
    assert hanoi.coverage.uncovered == ["enrichment.kangson", "enrichment.other"]
    assert "undeclared-enrichment" not in hanoi.coverage.unmodelled
    default = evaluate(load_model(draws=DRAWS), roadmap, [roadmap.proposal("hanoi-dprk-offer")])
    assert hanoi.values["remaining"].median > default.results[0].values["remaining"].median
