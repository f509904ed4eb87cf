"""Port lists and the nearest-port grid (checked against brute force)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dprkwatch.maritime import PortsError, load_ports
from dprkwatch.maritime.geo import haversine_km
from dprkwatch.maritime.ports import NearPorts, PortLookup, bundled_dprk_ports
from tests.maritime.factory import FIXTURES, PORTS_CSV


def test_plain_and_wpi_layouts_with_bundled_dprk_ports() -> None:
    plain = load_ports(PORTS_CSV)
    assert len(plain) == 2 + bundled_dprk_ports().height
    assert plain.dprk_count == bundled_dprk_ports().height
    assert plain.frame["port_idx"].to_list() == list(range(len(plain)))
    wpi = load_ports(FIXTURES / "wpi_ports.csv")
    names = wpi.frame["port"].to_list()
    assert "SECOND HARBOUR / OUTER" in names
    # NAMPO is in the file, so the bundled NAMPO (within 5 km) is not added twice
    assert names.count("NAMPO") == 1 and wpi.dprk_count == bundled_dprk_ports().height
    assert load_ports(PORTS_CSV, include_dprk=False).dprk_count == 0
    only_dprk = load_ports(None)
    assert only_dprk.sources == ("bundled DPRK ports",) and len(only_dprk) == only_dprk.dprk_count


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ports_bad_coords.csv", ":line 3: impossible coordinates 95.0, 125.0"),
        ("ports_no_columns.csv", ":header: expected columns"),
        ("missing.csv", ": file not found"),
    ],
)
def test_bad_port_files(name: str, message: str) -> None:
    with pytest.raises(PortsError) as err:
        load_ports(FIXTURES / name)
    assert message in str(err.value) and str(err.value).startswith(str(FIXTURES / name))


def test_no_ports_at_all_is_an_error() -> None:
    with pytest.raises(PortsError, match="no ports"):
        load_ports(None, include_dprk=False)


def _brute(
    lat: np.ndarray, lon: np.ndarray, plat: np.ndarray, plon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    d = haversine_km(lat[:, None], lon[:, None], plat[None, :], plon[None, :])
    return d.min(axis=1), d.argmin(axis=1)


@pytest.mark.parametrize("radius", [4.0, 37.04, 92.6])
def test_lookup_equals_brute_force(radius: float, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    # dense cluster, a port on each side of the dateline and one near the pole
    lat = np.r_[rng.uniform(34.5, 35.5, 40), [0.0, 0.0, 80.0]]
    lon = np.r_[rng.uniform(124.5, 125.5, 40), [179.95, -179.95, 10.0]]
    path = tmp_path / "many.csv"
    path.write_text(
        "name,country,lat,lon\n"
        + "".join(f"P{i},ZZZ,{a},{b}\n" for i, (a, b) in enumerate(zip(lat, lon, strict=True)))
    )
    ports = load_ports(path, include_dprk=False)
    lookup = PortLookup(ports, radius)
    plat, plon = ports.frame["lat"].to_numpy(), ports.frame["lon"].to_numpy()
    i = rng.integers(0, len(plat), 4000)
    qlat = np.clip(plat[i] + rng.normal(0, radius / 111 * 1.5, len(i)), -89.9, 89.9)
    qlon = (plon[i] + rng.normal(0, radius / 111 * 1.5, len(i)) + 180) % 360 - 180
    dist, port = lookup.nearest(qlat, qlon)
    bd, bp = _brute(qlat, qlon, plat, plon)
    within = bd <= radius
    assert within.sum() > 1000 and (~within).sum() > 100
    assert np.array_equal(np.isfinite(dist), within)
    assert np.array_equal(port[within], bp[within]) and np.all(port[~within] == -1)
    assert np.allclose(dist[within], bd[within], rtol=0, atol=1e-9)
    assert lookup.cells.height < len(plat) * 400  # pruned: not every port in every cell
    # the coarse mask never leaves out a position within the radius, and leaves out many beyond
    marked = NearPorts(ports, radius)(qlat, qlon)
    assert marked[within].all()
    far_lat = rng.uniform(-80, 80, 4000)
    far_lon = rng.uniform(-180, 180, 4000)
    far_d, _ = _brute(far_lat, far_lon, plat, plon)
    far_marked = NearPorts(ports, radius)(far_lat, far_lon)
    assert far_marked[far_d <= radius].all() and far_marked.mean() < 0.1
