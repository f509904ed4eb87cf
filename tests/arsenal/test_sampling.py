"""Vectorised draws follow the distributions they claim."""

from __future__ import annotations

import numpy as np
import pytest

from dprkwatch.arsenal.parameters import Range
from dprkwatch.arsenal.sampling import draw


def _tri_cdf(x: float, a: float, c: float, b: float) -> float:
    if x <= c:
        return (x - a) ** 2 / ((b - a) * (c - a)) if c > a else 0.0
    return 1 - (b - x) ** 2 / ((b - a) * (b - c))


@pytest.mark.parametrize(
    ("a", "c", "b"), [(4, 5, 8), (0, 0, 1), (1500, 2000, 2000), (0.5, 0.75, 0.95)]
)
def test_triangular_draws_match_the_cdf(a: float, c: float, b: float) -> None:
    ranges = {"x": Range(value=c, low=a, high=b, unit="u", confidence="low")}
    x = draw(ranges, 200_000, np.random.default_rng(7)).column("x")
    assert x.min() >= a - 1e-4 * abs(b) and x.max() <= b + 1e-4 * abs(b)
    assert x.mean() == pytest.approx((a + b + c) / 3, rel=0.01, abs=1e-3)
    for q in (0.1, 0.5, 0.9):
        point = a + q * (b - a)
        assert (x <= point).mean() == pytest.approx(_tri_cdf(point, a, c, b), abs=0.005)


def test_uniform_bernoulli_and_fixed() -> None:
    ranges = {
        "u": Range(value=2, low=1, high=3, unit="u", confidence="low", distribution="uniform"),
        "p": Range(value=0.3, unit="probability", confidence="low", distribution="bernoulli"),
        "k": Range(value=7, unit="u", confidence="high"),
        "always": Range(value=1, unit="probability", confidence="high", distribution="bernoulli"),
    }
    d = draw(ranges, 100_000, np.random.default_rng(3))
    assert d.ids == ("u", "p")  # fixed ranges are not drawn
    assert d.get("k") == 7 and d.get("always") == 1
    u = d.column("u")
    assert u.min() >= 1 and u.max() <= 3 and (u < 1.5).mean() == pytest.approx(0.25, abs=0.01)
    p = d.column("p")
    assert set(np.unique(p)) == {0.0, 1.0} and p.mean() == pytest.approx(0.3, abs=0.01)
    assert (d.column("k") == 7).all()


def test_draws_are_reproducible_for_a_seed() -> None:
    ranges = {"x": Range(value=5, low=4, high=8, unit="u", confidence="low")}
    a = draw(ranges, 1000, np.random.default_rng(11)).column("x")
    b = draw(ranges, 1000, np.random.default_rng(11)).column("x")
    c = draw(ranges, 1000, np.random.default_rng(12)).column("x")
    assert np.array_equal(a, b) and not np.array_equal(a, c)
