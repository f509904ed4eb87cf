"""What scored a screening, named precisely enough to reproduce it.

An algorithm's name (``dprkwatch-match-v2``) stays the same across a refit
of its calibration and across changes to the name analysis both versions
share, yet either moves the scores. An audit record that says only the
name cannot show a regulator which scores a decision rested on. So each
screening record also carries :func:`software`: the dprkwatch version, a
hash of the matching package's source (the one the index cache is keyed
by) and, for the calibrated algorithm, a hash of its fitted weights.
"""

from __future__ import annotations

import functools

from dprkwatch import __version__
from dprkwatch.matching.algorithms import ALGORITHMS
from dprkwatch.matching.cache import CODE_FINGERPRINT


def software(algorithm: str) -> dict[str, str]:
    """A fresh copy of :func:`_software`, for a record to own."""
    return dict(_software(algorithm))


@functools.cache
def _software(algorithm: str) -> dict[str, str]:
    """``{"dprkwatch": ..., "matching_code": ..., "calibration": ...}`` for ``algorithm``.

    ``calibration`` is present only when the algorithm is dprkwatch's own
    and calibrated; another engine's algorithm (nomenklatura's, through the
    yente API) gets the version alone, as its code is not ours to hash.
    """
    cls = ALGORITHMS.get(algorithm)
    if cls is None:
        return {"dprkwatch": __version__}
    found = {"dprkwatch": __version__, "matching_code": CODE_FINGERPRINT}
    calibration = getattr(cls(), "calibration", None)
    if calibration is not None:
        found["calibration"] = calibration.fingerprint()
    return found
