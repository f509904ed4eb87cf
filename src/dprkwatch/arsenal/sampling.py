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
BLOCK = 4096


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
    """Draw ``n`` joint samples of every range (independent across parameters).

    Varying parameters are grouped by distribution so that each group is a
    contiguous block of rows and is transformed in place, without copies.
    """
    if n <= 0:
        raise ValueError("n must be positive")
    order = {"triangular": 0, "uniform": 1, "bernoulli": 2}
    varying = sorted(
        (pid for pid, r in ranges.items() if not r.fixed),
        key=lambda p: order[ranges[p].distribution],
    )
    ids = tuple(varying)
    constants = {pid: r.value for pid, r in ranges.items() if r.fixed}
    u = rng.random((len(ids), n), dtype=DTYPE)
    counts = [sum(1 for p in ids if ranges[p].distribution == kind) for kind in order]
    bounds = np.cumsum([0, *counts])
    params = [ranges[pid] for pid in ids]
    lo = np.array([r.lo for r in params], dtype=DTYPE)[:, None]
    hi = np.array([r.hi for r in params], dtype=DTYPE)[:, None]
    mode = np.array([r.value for r in params], dtype=DTYPE)[:, None]

    tri = slice(bounds[0], bounds[1])
    if counts[0]:
        # Column blocks small enough for the temporaries to stay in cache.
        for j in range(0, n, BLOCK):
            _triangular(u[tri, j : j + BLOCK], lo[tri], mode[tri], hi[tri])
    uni = slice(bounds[1], bounds[2])
    if counts[1]:
        block = u[uni]
        block *= hi[uni] - lo[uni]
        block += lo[uni]
    ber = slice(bounds[2], bounds[3])
    if counts[2]:
        u[ber] = u[ber] < mode[ber]
    return Draws(n, ids, u, constants)


def _triangular(u: FloatArray, a: FloatArray, c: FloatArray, b: FloatArray) -> None:
    """Map uniforms ``u`` (in place) to triangular(a, c, b) by the inverse CDF.

    Below the mode ``x = a + sqrt(u (b-a)(c-a))``, above it
    ``x = b - sqrt((1-u)(b-a)(b-c))``. Written without masks or ``np.where``:
    with random masks those run an order of magnitude slower than plain
    SIMD arithmetic, so the branch is blended with a 0/1 factor instead.
    """
    width = b - a
    split = np.divide(c - a, width, out=np.zeros_like(width), where=width > 0)
    below = (u < split).astype(DTYPE)  # 1 left of the mode, 0 right of it
    right_arg = 1 - u
    right_arg *= width * (b - c)
    left_arg = u * (width * (c - a))
    left_arg -= right_arg
    left_arg *= below
    left_arg += right_arg  # below ? left argument : right argument
    root = np.sqrt(left_arg, out=left_arg)
    # below ? a + root : b - root  ==  b - root + below * (a - b + 2 root)
    np.subtract(b, root, out=u)
    root *= 2
    root += a - b
    root *= below
    u += root
