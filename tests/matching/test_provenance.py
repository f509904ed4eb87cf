"""An audit record names the calibration fit and the matching code, not only the algorithm."""

from __future__ import annotations

from dataclasses import replace

from dprkwatch.matching import calibration
from dprkwatch.matching.provenance import software


def test_a_refit_changes_the_fingerprint_and_a_reload_does_not() -> None:
    shipped = calibration.load()
    assert shipped is not None
    again = calibration.load()
    assert again is not None and again.fingerprint() == shipped.fingerprint()
    b0, b1, b2 = shipped.weights["name"]
    refit = replace(shipped, weights={**shipped.weights, "name": (b0, b1 + 0.01, b2)})
    assert refit.fingerprint() != shipped.fingerprint()
    assert replace(shipped, threshold=shipped.threshold + 0.01).fingerprint() != (
        shipped.fingerprint()
    )
    # Where the fit came from is provenance, not the fit: it does not change the hash.
    assert replace(shipped, fitted={}).fingerprint() == shipped.fingerprint()


def test_software_per_algorithm() -> None:
    v2 = software("dprkwatch-match-v2")
    shipped = calibration.load()
    assert shipped is not None and v2["calibration"] == shipped.fingerprint()
    assert set(software("dprkwatch-match-v1")) == {"dprkwatch", "matching_code"}
    assert software("logic-v2") == {"dprkwatch": v2["dprkwatch"]}
    # Each call hands out its own dict: a record that adds to it changes no other.
    software("dprkwatch-match-v2")["extra"] = "x"
    assert "extra" not in software("dprkwatch-match-v2")
