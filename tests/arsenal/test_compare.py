"""Published estimates against the band: verdicts and the assumption behind each outlier."""

from __future__ import annotations

from datetime import date

import numpy as np
import orjson
import pytest

from dprkwatch.arsenal import ArsenalModel, Estimate, EstimateError, Interval, load_model
from dprkwatch.arsenal.compare import status_of
from tests.arsenal.factory import SIMPLE

BAND = Interval(low=10, median=15, high=20)


@pytest.mark.parametrize(
    ("bounds", "status"),
    [
        ((12, 18), "inside"),
        ((10, 20), "inside"),
        ((15, 15), "inside"),
        ((5, 12), "overlaps"),
        ((18, 30), "overlaps"),
        ((5, 30), "overlaps"),  # wider than the band
        ((21, 30), "above"),
        ((25, 25), "above"),
        ((1, 9.9), "below"),
    ],
)
def test_status_table(bounds: tuple[float, float], status: str) -> None:
    assert status_of(bounds, BAND) == status


def _est(id: str, as_of: date, kind: str = "stock", **figures: float) -> Estimate:
    return Estimate(
        id=id,
        source="Test",
        publication="test",
        as_of=as_of,
        kind=kind,
        reference="test",
        **figures,
    )  # type: ignore[arg-type]


def test_one_varying_parameter_is_named_as_the_explanation() -> None:
    # Only HEU per weapon varies (15..25 kg): an estimate above the band can only be
    # reached with few kilograms per weapon, and one below with many.
    model = load_model(
        SIMPLE, overrides={"conversion.heu_kg_per_weapon": "15..20..25"}, draws=20_000, workers=1
    )
    when = date(2012, 12, 31)  # 260 kg HEU, 5 Pu weapons: stock 15.4 .. 22.3
    band = model.stock(when)
    rows = model.compare(
        [
            _est("high", when, point=band.high + 0.3),
            _est("low", when, point=band.low - 0.3),
            _est("mid", when, point=band.median),
            _est("way-up", when, point=100),
        ]
    )
    by_id = {c.estimate.id: c for c in rows}
    assert (
        by_id["mid"].status == "inside"
        and by_id["mid"].explanation is None
        and not by_id["mid"].flagged
    )
    high, low, way = by_id["high"], by_id["low"], by_id["way-up"]
    assert high.status == "above" and high.flagged
    assert high.assumption == "conversion.heu_kg_per_weapon" and high.drivers[0].direction == "low"
    assert 0 < high.reach < 0.05  # some draws get there
    assert low.status == "below" and low.assumption == "conversion.heu_kg_per_weapon"
    assert low.drivers[0].direction == "high"
    assert way.reach == 0 and "no draw reaches 100" in (way.explanation or "")
    assert "conversion.heu_kg_per_weapon toward its low end" in (way.explanation or "")


def test_increment_and_material_estimates_use_their_own_quantities() -> None:
    model = load_model(SIMPLE, draws=64, workers=1)
    rows = model.compare(
        [
            _est("heu", date(2008, 12, 31), kind="heu_kg", low=170, high=190),
            _est("pu", date(2008, 12, 31), kind="pu_kg", point=40),
            _est("too-early", date(1950, 1, 1), point=1),  # outside the horizon: skipped
        ]
    )
    by_id = {c.estimate.id: c for c in rows}
    assert list(by_id) == ["heu", "pu"]
    assert (
        by_id["heu"].model.median == pytest.approx(180, rel=1e-5)
        and by_id["heu"].status == "overlaps"
    )
    assert by_id["pu"].model.median == pytest.approx(19, rel=1e-5) and by_id["pu"].status == "above"
    assert by_id["heu"].model.unit == "kg HEU"


def test_increments_are_compared_with_production_in_the_window() -> None:
    model = load_model(SIMPLE, draws=64, workers=1)
    with pytest.raises(EstimateError, match="inc: window_start is required"):
        _est("inc", date(2002, 12, 31), kind="increment", point=2)
    inc = Estimate(
        id="inc",
        source="T",
        publication="t",
        as_of=date(2002, 12, 31),
        window_start=date(2000, 12, 31),
        kind="increment",
        point=2,
    )
    (row,) = model.compare([inc])
    assert row.status == "inside" and row.model.median == pytest.approx(2, rel=1e-5)


def test_material_figures_are_compared_on_the_material_basis() -> None:
    # Utilisation varies 0.6..1.0: a "material for N" figure is set against each
    # draw's weapons divided by its utilisation, the same draws on another basis.
    model = load_model(SIMPLE, overrides={"conversion.utilisation": "0.6..0.8..1.0"}, draws=4_000)
    when = date(2012, 12, 31)
    weapons = model.samples([when])[0]
    utilisation = model.draws.get("conversion.utilisation")
    material = weapons / utilisation
    # The same figure either side of the material median.
    mid = float(np.median(material))
    figure = {"low": 0.99 * mid, "high": 1.01 * mid}
    rows = model.compare(
        [
            _est("counted", when, **figure),
            Estimate(
                id="material",
                source="T",
                publication="t",
                as_of=when,
                kind="stock",
                counts="material",
                **figure,
            ),
        ]
    )
    by_id = {c.estimate.id: c for c in rows}
    # The same figure: beyond every draw on the weapons basis, inside the material band.
    assert by_id["counted"].status == "above"
    assert by_id["material"].status in ("inside", "overlaps")
    assert by_id["material"].model.median == pytest.approx(float(np.median(material)), rel=1e-3)
    assert by_id["material"].to_dict()["counts"] == "material"


def test_material_basis_only_for_weapon_counts() -> None:
    with pytest.raises(EstimateError, match="counts 'material' applies to stock and increment"):
        Estimate(
            id="kg",
            source="T",
            publication="t",
            as_of=date(2012, 1, 1),
            kind="pu_kg",
            point=40,
            counts="material",
        )


@pytest.fixture(scope="module")
def shipped() -> ArsenalModel:
    return load_model(draws=40_000)


def test_shipped_comparison_flags_and_explains(shipped: ArsenalModel) -> None:
    rows = {c.estimate.id: c for c in shipped.compare()}
    # The RAND/Asan figures rest on an assumed growth of 12-18 a year: far outside.
    for rid in ("rand-asan-2020", "rand-asan-2027"):
        assert rows[rid].status == "above"
        assert "12-18" in (rows[rid].explanation or "")
        assert rows[rid].assumption is not None
    # SIPRI's assembled count falls below a material band, and says why.
    assert rows["sipri-2022"].status == "below"
    assert "assembled warheads" in (rows["sipri-2022"].explanation or "")
    # "Material for up to 90" (SIPRI 2025) is compared on the material basis.
    assert rows["sipri-2025-material"].estimate.counts == "material"
    assert rows["sipri-2025-material"].model.high > rows["sipri-2025"].model.high
    # Sources the parameter file is calibrated on sit inside or across the band.
    for rid in ("isis-2017", "hecker-2016", "sipri-2019", "sipri-2020", "isis-2017-pu"):
        assert rows[rid].status in ("inside", "overlaps"), rid
    for c in rows.values():
        if c.flagged:
            assert c.explanation and c.assumption
        else:
            assert c.explanation == c.estimate.explanation and not c.drivers
    orjson.dumps([c.to_dict() for c in rows.values()])
