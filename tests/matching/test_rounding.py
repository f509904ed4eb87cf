"""rounding.rounded must give round(x, digits) exactly, sign and all."""

from __future__ import annotations

import math
import random
import struct

import pytest

from dprkwatch.matching.rounding import rounded


def same(a: float, b: float) -> bool:
    """The same float, bit for bit (0.0 and -0.0 differ; NaN equals NaN)."""
    return struct.pack("<d", a) == struct.pack("<d", b)


def neighbours(x: float) -> list[float]:
    return [math.nextafter(math.nextafter(x, -math.inf), -math.inf), math.nextafter(x, -math.inf),
            x, math.nextafter(x, math.inf), math.nextafter(math.nextafter(x, math.inf), math.inf)]  # fmt: skip


@pytest.mark.parametrize("digits", [0, 1, 2, 3, 4])
def test_rounded_is_round(digits: int) -> None:
    rng = random.Random(digits)
    values: list[float] = [0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 1e9, 1e-12, 1e300]
    for _ in range(10_000):
        values.append(rng.random())
        values.append(rng.uniform(-2.0, 2.0))
        values.append(rng.uniform(0.0, 1e10))
        values.append(rng.random() * 10.0 ** rng.randint(-8, 8))
    # Halves and their neighbours, where a product's rounding could decide.
    scale = 10**digits
    for _ in range(5_000):
        n = rng.randrange(0, 10**6)
        for x in ((n + 0.5) / scale, (2 * n + 1) / (2 * scale), n / scale):
            values.extend(neighbours(x))
            values.extend(neighbours(-x))
    for x in ("0.00005", "0.12345", "2.675", "0.99995", "0.49995", "1.00005", "0.33335"):
        values.extend(neighbours(float(x)))
    # Sums and products as the scores make them.
    for _ in range(10_000):
        values.append(rng.random() * rng.random() + rng.random() / 3.0)
        values.append(1.0 - rng.randint(1, 3) / rng.randint(3, 24))
    wrong = [x for x in values if not same(rounded(x, digits), round(x, digits))]
    assert wrong == []
