"""The Monte Carlo model: hand-checked physics on a fixed fixture, then the shipped model."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest

from dprkwatch.arsenal import ArsenalModel, DateError, ParameterError, load_model
from dprkwatch.arsenal.interval import QUANTILES, quantiles
from dprkwatch.arsenal.timeline import decimal_year
from tests.arsenal.factory import SIMPLE, write_edited

# In the fixture every range is fixed, so every draw gives the same number and
# the quantiles equal the hand calculation (see the fixture's header).
EXPECTED_STOCK = [
    ("1999-12-31", 0.0),
    ("2004-12-31", 5.0),  # 100 kg HEU; the campaign has not started
    ("2006-07-01", (15 * 182 / 365 + 3 * 182 / 365) / 5 + 20 * (6 + 182 / 365) / 20),
    ("2006-12-31", 18 / 5 + 7.0),  # campaign done (15 kg) + one year of tail (3 kg)
    ("2007-12-31", (21 - 5) / 5 + 8.0),  # the test on this day used 5 kg
    ("2008-12-31", (24 - 5) / 5 + 9.0),
    ("2012-12-31", (30 - 5) / 5 + 13.0),  # reactor stopped at end-2009; all its Pu is out
]


@pytest.fixture(scope="module")
def simple() -> ArsenalModel:
    return load_model(SIMPLE, draws=64, workers=1)


@pytest.mark.parametrize(("when", "weapons"), EXPECTED_STOCK)
def test_fixture_stock_matches_hand_calculation(
    simple: ArsenalModel, when: str, weapons: float
) -> None:
    iv = simple.stock(when)
    assert iv.low == pytest.approx(weapons, rel=1e-5, abs=1e-5)
    assert iv.median == pytest.approx(weapons, rel=1e-5, abs=1e-5)
    assert iv.high == pytest.approx(weapons, rel=1e-5, abs=1e-5)


def test_fixture_material_and_increments(simple: ArsenalModel) -> None:
    mat = simple.material("2008-12-31")
    assert mat["pu_kg"].median == pytest.approx(19, rel=1e-5)
    assert mat["heu_kg"].median == pytest.approx(180, rel=1e-5)
    # Increment is gross production: the test inside the window is not subtracted...
    assert simple.increment("2006-12-31", "2007-12-31").median == pytest.approx(3 / 5 + 1, rel=1e-5)
    # ...while the stock difference is net of it.
    net = simple.stock("2007-12-31").median - simple.stock("2006-12-31").median
    assert net == pytest.approx(3 / 5 + 1 - 1, rel=1e-4)
    assert simple.increment("2000-12-31", "2002-12-31").median == pytest.approx(2, rel=1e-5)
    assert simple.increment("midpoint", "midpoint").median == 0


def test_fixture_options_change_what_they_should(simple: ArsenalModel) -> None:
    base = simple.stock("2024-12-31").median
    elwr = simple.with_overrides({"elwr.enabled": True}).stock("2024-12-31").median
    # ELWR: 10 kg/yr x 0.5 from end-2019, available a year later -> 4 years x 5 kg = 20 kg = 4 weapons.
    assert elwr - base == pytest.approx(4, rel=1e-4)
    no_plant = simple.with_overrides({"enrichment.main.presence": 0}).stock("2024-12-31").median
    assert base - no_plant == pytest.approx(20 * 25 / 20, rel=1e-4)
    heavier = simple.with_overrides({"conversion.pu_kg_per_weapon": 10}).stock("2024-12-31").median
    assert base - heavier == pytest.approx(25 / 5 - 25 / 10, rel=1e-4)
    half = simple.with_overrides({"conversion.utilisation": 0.5}).stock("2024-12-31").median
    assert half == pytest.approx(base / 2, rel=1e-5)


def test_elwr_end_date_stops_its_output(tmp_path: Path, simple: ArsenalModel) -> None:
    def stop(data: dict[str, Any]) -> None:
        data["elwr"].update(enabled=True, end="2021-12-31")

    ended = load_model(write_edited(tmp_path, stop), draws=64)
    # two years at 5 kg/yr (end-2019 to end-2021), still separated a year later: 10 kg = 2 weapons
    assert ended.stock("2024-12-31").median - simple.stock("2024-12-31").median == pytest.approx(
        2, rel=1e-4
    )

    def backwards(data: dict[str, Any]) -> None:
        data["elwr"]["end"] = "2019-01-01"

    with pytest.raises(ParameterError, match=r"elwr: end \(2019-01-01\) is not after start"):
        load_model(write_edited(tmp_path, backwards))


def test_map_draws_and_quantile_rows_use_the_models_draws(simple: ArsenalModel) -> None:
    rows = simple.map_draws(lambda d: np.tile(np.arange(d.n, dtype=np.float32), (2, 1)), 2)
    assert rows.shape == (2, simple.n_draws)
    qs = simple.quantile_rows(np.stack([np.arange(101, dtype=np.float32)] * 2))
    assert qs[0].tolist() == [5, 25, 50, 75, 95]


def test_a_second_site_present_in_some_draws(simple: ArsenalModel) -> None:
    # Presence 0.5: about half of the draws carry the plant's 20 kg a year.
    m = load_model(SIMPLE, overrides={"enrichment.main.presence": 0.5}, draws=20_000, workers=1)
    v = m.samples([date(2004, 12, 31)])[0]
    assert set(np.round(np.unique(v), 4)) == {0.0, 5.0}
    assert (v > 0).mean() == pytest.approx(0.5, abs=0.02)


@pytest.fixture(scope="module")
def model() -> ArsenalModel:
    return load_model(draws=40_000)


def test_band_rows_are_ordered_json_and_consistent_with_stock(model: ArsenalModel) -> None:
    rows = model.band(range(2010, 2031))
    assert [r["year"] for r in rows] == list(range(2010, 2031))
    for r in rows:
        assert r["p05"] <= r["p25"] <= r["p50"] <= r["p75"] <= r["p95"]
    assert rows[-1]["p50"] > rows[0]["p50"]
    orjson.dumps(rows)
    iv = model.stock("2019-12-31")
    row = rows[9]
    assert row["date"] == "2019-12-31"
    assert (row["p05"], row["p50"], row["p95"]) == pytest.approx(
        (iv.low, iv.median, iv.high), abs=1e-3
    )


def test_singapore_increments(model: ArsenalModel) -> None:
    hanoi = model.increment("singapore", "hanoi")
    assert hanoi == model.increment("2018-06-12", "2019-02-28")
    july = model.increment("2018-06-12", "2019-07-02")
    assert 0 < hanoi.low < hanoi.median < hanoi.high
    assert july.median > hanoi.median
    # No test fell in the window, so the gross increment equals the change in stock, draw by draw.
    stock = model.samples([date(2018, 6, 12), date(2019, 2, 28)])
    assert np.allclose(
        model.increment_samples(date(2018, 6, 12), date(2019, 2, 28)),
        stock[1] - stock[0],
        atol=1e-3,
    )
    orjson.dumps(hanoi.to_dict())


def test_quantiles_equal_numpy(model: ArsenalModel) -> None:
    v = model.samples([date(2015, 1, 1), date(2025, 1, 1)])
    assert np.allclose(quantiles(v), np.quantile(v, QUANTILES, axis=1).T)


def test_results_depend_on_the_seed_not_the_threads() -> None:
    one = load_model(draws=150_000, workers=1).stock("2020")
    two = load_model(draws=150_000, workers=2).stock("2020")
    other = load_model(draws=150_000, workers=2, seed=1).stock("2020")
    assert one == two
    assert one != other
    assert one.median == pytest.approx(other.median, rel=0.02)


def test_shipped_model_brackets_the_sourced_material_figures(model: ArsenalModel) -> None:
    # The parameter file is calibrated on these; a broken engine would miss them.
    pu = model.material("2016-12-31")["pu_kg"]
    assert pu.low < 33 < pu.high  # ISIS 2017 median Pu
    heu = model.material("2016-12-31")["heu_kg"]
    assert heu.low < 175 * 1.2 and heu.high > 500  # ISIS 2017: 175-645 kg
    assert model.stock("1989-05-31").high == 0  # nothing separated before the first campaign


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda m: m.stock("2040-01-01"),
            DateError,
            "date: 2040-01-01 is outside the model's horizon",
        ),
        (lambda m: m.stock("1980"), DateError, "outside the model's horizon"),
        (lambda m: m.stock("yesterday"), DateError, "cannot read 'yesterday'"),
        (
            lambda m: m.increment("hanoi", "singapore"),
            DateError,
            "end: end (2018-06-12) is before start (2019-02-28)",
        ),
        (lambda m: m.increment("singapore", "hanoy"), DateError, "end: cannot read 'hanoy'"),
        (lambda m: m.band([2050]), DateError, "year: 2050-12-31 is outside"),
    ],
)
def test_bad_dates_fail_clearly(
    model: ArsenalModel, call, error: type[Exception], message: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as info:
        call(model)
    assert message in str(info.value)


def test_bad_draws_and_seed() -> None:
    with pytest.raises(ParameterError, match="draws: must be between 1"):
        load_model(draws=0)
    with pytest.raises(ParameterError, match="seed: must not be negative"):
        load_model(seed=-1)


def test_decimal_year_convention() -> None:
    assert decimal_year(date(2017, 12, 31)) == 2018.0
    assert decimal_year(date(2020, 12, 31)) - decimal_year(date(2017, 12, 31)) == 3.0


def test_workbench_payload_is_json(model: ArsenalModel) -> None:
    payload = model.to_dict(range(2015, 2028))
    decoded = orjson.loads(orjson.dumps(payload))
    assert [r["year"] for r in decoded["band"]] == list(range(2015, 2028))
    rand = next(s for s in decoded["scenarios"] if s["id"] == "rand-asan-2021")
    assert rand["series"][0]["year"] == 2017 and rand["series"][-1] == {
        "year": 2027,
        "low": 151,
        "high": 242,
        "extrapolated": False,
    }
    isis = next(s for s in decoded["scenarios"] if s["id"] == "isis-2017")
    assert isis["horizon"] == "2020-12-31"
    assert [r["year"] for r in isis["series"] if r["extrapolated"]] == list(range(2021, 2028))
    assert any(c["flagged"] for c in decoded["comparisons"])
    assert decoded["events"]["singapore"] == "2018-06-12"


def test_without_campaigns_or_plants_plutonium_arrives_through_the_lag(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["reprocessing"]["campaigns"] = []
        d["tests"] = []
        d["enrichment"]["sites"] = []

    m = load_model(write_edited(tmp_path, edit), draws=8, workers=1)
    # 3 kg a year from end-1999 to end-2009, each kilogram available a year after it is made.
    assert m.stock("2004-12-31").median == pytest.approx(4 * 3 / 5, rel=1e-5)
    assert m.stock("2012").median == pytest.approx(10 * 3 / 5, rel=1e-5)
    assert m.material("2012")["heu_kg"].high == 0
