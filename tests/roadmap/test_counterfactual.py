"""The counterfactual arithmetic on a hand-checkable model (tests/fixtures/arsenal/simple.yaml).

The fixture's reactor makes 3 kg Pu a year from 2000.0 to 2010.0, one campaign
separates the 15 kg made to 2005.0 during 2006, the tail makes the rest
available a year after it is made; enrichment makes 20 kg HEU a year from
2000.0; 5 kg Pu or 20 kg HEU a weapon, utilisation 1; a 5 kg Pu test at
2008.0. By 2012.0 (end of 2011) the baseline has made 30 kg Pu and 240 kg
HEU: 6 + 12 = 18 weapons, 17 held after the test.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pytest
from numpy.typing import NDArray

from dprkwatch.arsenal import ArsenalModel, load_model, load_parameters
from dprkwatch.roadmap import evaluate, load_roadmap
from dprkwatch.roadmap.counterfactual import Cut, Quantities, cut_file
from tests.roadmap.factory import SIMPLE_PARAMS, SIMPLE_ROADMAP

END_2011 = np.array([2012.0])


@pytest.fixture(scope="module")
def model() -> ArsenalModel:
    return load_model(SIMPLE_PARAMS, draws=64)


def _at(
    model: ArsenalModel,
    stops: Mapping[str, date],
    removal: date | None = None,
    t: NDArray[np.float64] = END_2011,
) -> Quantities:
    return Cut(model, stops, removal).quantities(model.draws, t)


def test_baseline_is_the_model(model: ArsenalModel) -> None:
    q = _at(model, {})
    assert q.pu_kg[0, 0] == pytest.approx(30) and q.heu_kg[0, 0] == pytest.approx(240)
    assert q.produced[0, 0] == pytest.approx(18) and q.stock[0, 0] == pytest.approx(17)
    assert q.stock[0, 0] == pytest.approx(model.stock("2011").median)


def test_reactor_stop_keeps_what_was_made_before(model: ArsenalModel) -> None:
    q = _at(model, {"reactor": date(2002, 12, 31)})
    # 9 kg made to end-2002, separated by the 2006 campaign; no tail.
    assert q.pu_kg[0, 0] == pytest.approx(9) and q.produced[0, 0] == pytest.approx(13.8)


def test_reprocessing_stop_freezes_separation(model: ArsenalModel) -> None:
    # mid-2006: half the campaign (7.5 kg) plus half a year of tail (1.5 kg)
    t = np.array([2006.0, 2006.5, 2012.0])
    assert np.allclose(_at(model, {}, t=t).pu_kg[:, 0], [0, 9, 30])
    stopped = _at(model, {"reprocessing": date(2006, 7, 2)}, t=t).pu_kg[:, 0]
    assert np.allclose(stopped, [0, 9, 9], atol=0.05)
    assert np.allclose(_at(model, {"reprocessing": date(2005, 12, 31)}, t=t).pu_kg[:, 0], 0)


def test_enrichment_stop_ends_the_site(model: ArsenalModel) -> None:
    q = _at(model, {"enrichment.main": date(2004, 12, 31)})
    assert q.heu_kg[0, 0] == pytest.approx(100)


def test_removal_ships_out_what_is_held(model: ArsenalModel) -> None:
    t = np.array([2010.5, 2012.0])
    q = _at(model, {}, removal=date(2010, 12, 31), t=t)
    # before the removal: as the baseline; after it: only the 20 kg HEU of 2011 (1 weapon)
    assert q.stock[0, 0] == pytest.approx(_at(model, {}, t=t).stock[0, 0])
    assert q.stock[1, 0] == pytest.approx(1.0)
    assert q.produced[1, 0] == pytest.approx(18)  # removal does not un-make material


def test_cut_keeps_every_range_so_the_draws_still_apply() -> None:
    params = load_parameters()
    cut = cut_file(
        params.file, {"reactor": date(2019, 3, 1), "enrichment.kangson": date(2019, 3, 1)}
    )
    assert cut.ranges().keys() >= {
        k
        for k in params.ranges()
        if not k.startswith(("reactor.restart_2021", "enrichment.kangson.later"))
    }
    # the reactor was idle at the stop (2019-2021): the 2021 restart goes, earlier periods stay
    assert [p.id for p in cut.reactor.periods][-1] == "restart_2013"
    mid = cut_file(params.file, {"reactor": date(2015, 1, 1)})
    assert [(p.id, p.end) for p in mid.reactor.periods][-1] == ("restart_2013", date(2015, 1, 1))
    kangson = next(s for s in cut.enrichment.sites if s.id == "kangson")
    assert [p.end for p in kangson.periods] == [date(2013, 8, 31), date(2019, 3, 1)]
    assert params.file.reactor.periods[-1].end is None  # the original is untouched


def test_evaluate_on_the_fixture_roadmap() -> None:
    rm = load_roadmap(SIMPLE_ROADMAP, params=load_parameters(SIMPLE_PARAMS))
    ev = evaluate(load_model(SIMPLE_PARAMS, draws=64), rm, by=2011)
    got = {r.proposal.id: {k: round(v.median, 4) for k, v in r.values.items()} for r in ev.results}
    assert ev.held_baseline.median == pytest.approx(17)
    assert got["freeze-reactor"] == {
        "prevented": 4.2,
        "remaining": 10.8,
        "window": 15.0,
        "share": 0.28,
        "held": 12.8,
        "pu_remaining": 9.0,
        "heu_remaining": 180.0,
    }
    assert got["stop-separation"]["prevented"] == 6.0 and got["stop-separation"]["share"] == 0.5
    # phased: reactor end-2002, enrichment end-2004, stockpile shipped out end-2010
    assert got["phased"]["prevented"] == pytest.approx(11.2) and got["phased"]["held"] == 0.0
    assert got["talk-only"] == {}  # a test moratorium covers no production
    phased = ev.result("phased")
    assert [s.phase for s in phased.coverage.stops.values()] == ["p1", "p2", "p3"]
    assert phased.coverage.uncovered == ["reprocessing"]
