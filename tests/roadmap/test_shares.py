"""The Hanoi offer against published assessments of Yongbyon's share of fissile production.

The model's share is computed draw by draw over the window from the Hanoi
summit to the end of 2026 (what the worked example in docs/roadmap.md asks).
Published assessments (assessments.yaml) disagree with each other: Albright
"at most half", IISS/CENESS "up to 80%", US intelligence "Kangson twice
Yongbyon". The test holds the model to this: it is inside or overlaps the
assessments whose bounds it can meet, and where it falls outside, the
difference is explained by one assumption - the size of the second
enrichment plant - which the test then changes to show it closes the gap.
"""

from __future__ import annotations

from datetime import date

import pytest

from dprkwatch.arsenal import ArsenalModel, load_model
from dprkwatch.roadmap import Roadmap, check_assessments, evaluate, load_roadmap, site_share

WINDOW = (date(2019, 2, 28), date(2026, 12, 31))
DRAWS = 50_000


@pytest.fixture(scope="module")
def roadmap() -> Roadmap:
    return load_roadmap()


@pytest.fixture(scope="module")
def model() -> ArsenalModel:
    return load_model(draws=DRAWS)


def test_hanoi_stops_exactly_yongbyons_share(model: ArsenalModel, roadmap: Roadmap) -> None:
    share = site_share(model, roadmap, "yongbyon", *WINDOW)
    assert share.components == ("enrichment.yongbyon", "reactor", "reprocessing")
    hanoi = evaluate(model, roadmap, [roadmap.proposal("hanoi-dprk-offer")]).results[0]
    # the offer covers every Yongbyon production component from 2019-03-01, one day later
    got, want = hanoi.values["share"], share.interval("all-fissile")
    assert got.median == pytest.approx(want.median, abs=0.01)
    assert got.low == pytest.approx(want.low, abs=0.01)


def test_hanoi_share_against_published_assessments(model: ArsenalModel, roadmap: Roadmap) -> None:
    share = site_share(model, roadmap, "yongbyon", *WINDOW)
    band = share.interval("all-fissile")
    assert 0.55 < band.low < band.median < 0.8 and band.high == pytest.approx(1)
    checks = {c.assessment.id: c for c in check_assessments(model, roadmap, share)}
    assert set(checks) == {a.id for a in roadmap.assessments}
    # consistent: IISS/CENESS's "up to 80%" and Hecker's lower bound
    assert checks["iiss-ceness-2021"].status in ("inside", "overlaps")
    assert checks["hecker-2019"].status in ("inside", "overlaps")
    assert band.median <= checks["iiss-ceness-2021"].assessment.bounds[1]
    # outside: Albright's "at most half", the Bloomberg experts' range, US intelligence on HEU
    for aid in ("albright-2019", "arms-control-experts-2019", "us-intelligence-2018-heu"):
        c = checks[aid]
        assert c.status == "below", (aid, c.status)
        # ... and the explanation is the second plant: the few draws that get there have it
        top = c.drivers[0].parameter
        assert top.startswith("enrichment.kangson"), (aid, c.drivers)
        assert any(
            d.parameter == "enrichment.kangson.presence" and d.reaching > 0.99 for d in c.drivers
        )
        assert "enrichment.kangson" in c.explained


def test_a_larger_kangson_closes_the_gap(model: ArsenalModel, roadmap: Roadmap) -> None:
    """With Kangson as large as Yongbyon's plant, the model lands on Albright's range;
    with Kangson twice Yongbyon (the US intelligence view), on US intelligence's HEU range."""
    same = model.with_overrides(
        {
            "enrichment.kangson.presence": 1,
            "enrichment.kangson.later.centrifuges": "4000..5000..7000",
        }
    )
    checks = {
        c.assessment.id: c
        for c in check_assessments(same, roadmap, site_share(same, roadmap, "yongbyon", *WINDOW))
    }
    assert checks["albright-2019"].status in ("inside", "overlaps")
    assert 0.4 <= checks["albright-2019"].model.median <= 0.55
    twice = model.with_overrides(
        {
            "enrichment.kangson.presence": 1,
            "enrichment.kangson.later.centrifuges": "8000..10000..14000",
        }
    )
    share = site_share(twice, roadmap, "yongbyon", *WINDOW)
    checks = {c.assessment.id: c for c in check_assessments(twice, roadmap, share)}
    assert checks["us-intelligence-2018-heu"].status in ("inside", "overlaps")
    assert checks["arms-control-experts-2019"].status in ("inside", "overlaps")


def test_unknown_site_and_empty_window(model: ArsenalModel, roadmap: Roadmap) -> None:
    from dprkwatch.arsenal import DateError
    from dprkwatch.roadmap import UnknownRoadmapItem

    with pytest.raises(UnknownRoadmapItem, match="no asset at site 'punggye'"):
        site_share(model, roadmap, "punggye", *WINDOW)
    with pytest.raises(DateError, match="must end after it starts"):
        site_share(model, roadmap, "yongbyon", WINDOW[1], WINDOW[0])
