"""Vectorised draws over the parameter ranges.

One uniform matrix is drawn for all varying parameters at once and mapped
through each distribution's inverse CDF in a handful of array operations,
which is far faster than one ``Generator.triangular`` call per parameter.
Draws are laid out parameter-major (``(k, n)``), so each parameter's draws are
contiguous. Fixed parameters are not drawn; they stay scalars.

Distributions: triangular (mode = ``value``), uniform (``low``..``high``) and
Bernoulli (1 with probability ``value``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dprkwatch.arsenal.parameters import Range

FloatArray = NDArray[np.float32]
DTYPE = np.float32


@dataclass(frozen=True)
class Draws:
    """``n`` joint draws of every parameter, by dotted id."""

    n: int
    ids: tuple[str, ...]
    matrix: FloatArray  # (len(ids), n)
    constants: Mapping[str, float]

    def get(self, pid: str) -> FloatArray | float:
        """The draws of one parameter: an array of ``n`` values, or a scalar if fixed."""
        if pid in self.constants:
            return self.constants[pid]
        row: FloatArray = self.matrix[self.ids.index(pid)]
        return row

    def slice(self, start: int, stop: int) -> Draws:
        return Draws(stop - start, self.ids, self.matrix[:, start:stop], self.constants)

    def column(self, pid: str) -> FloatArray:
        """Like :meth:`get` but always an array (constants are broadcast)."""
        got = self.get(pid)
        if isinstance(got, np.ndarray):
            return got
        return np.full(self.n, got, dtype=DTYPE)


def draw(ranges: Mapping[str, Range], n: int, rng: np.random.Generator) -> Draws:
    """Draw ``n`` joint samples of every range (independent across parameters)."""
    if n <= 0:
        raise ValueError("n must be positive")
    ids = tuple(pid for pid, r in ranges.items() if not r.fixed)
    constants = {pid: r.value for pid, r in ranges.items() if r.fixed}
    u = rng.random((len(ids), n), dtype=DTYPE)
    if not ids:
        return Draws(n, ids, u, constants)
    params = [ranges[pid] for pid in ids]
    kind = np.array([r.distribution for r in params])
    lo = np.array([r.lo for r in params], dtype=DTYPE)[:, None]
    hi = np.array([r.hi for r in params], dtype=DTYPE)[:, None]
    mode = np.array([r.value for r in params], dtype=DTYPE)[:, None]
    out = np.empty_like(u)

    tri = kind == "triangular"
    if tri.any():
        a, b, c, x = lo[tri], hi[tri], mode[tri], u[tri]
        width = b - a
        split = np.divide(c - a, width, out=np.zeros_like(width), where=width > 0)
        left = a + np.sqrt(x * width * (c - a))
        right = b - np.sqrt((1 - x) * width * (b - c))
        out[tri] = np.where(x < split, left, right)
    uni = kind == "uniform"
    if uni.any():
        out[uni] = lo[uni] + u[uni] * (hi[uni] - lo[uni])
    ber = kind == "bernoulli"
    if ber.any():
        out[ber] = (u[ber] < mode[ber]).astype(DTYPE)
    return Draws(n, ids, out, constants)
