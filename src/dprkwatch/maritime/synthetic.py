"""Synthetic AIS with planted ground truth and decoys, for tests and benchmarks.

The world is a box over the Yellow Sea, the Korea Bay and the East Sea with
the bundled DPRK ports plus a few invented ports (country ``ZZZ``). Every
vessel follows a *program* of legs, each either moving in a straight line
or stationary (drifting a little); positions are sampled from the legs at
the vessel's report interval with a little position and speed noise.

Planted events (the ground truth) and decoys that must **not** be reported:

===============  ==========================================  ==================================
kind             planted                                     decoy
===============  ==========================================  ==================================
encounter        two vessels meet offshore, slow, < 250 m,   short meetings (< 1.3 h); pairs
                 2.5-3.3 h or 4.8-10 h                       moored together in port; fast
                                                             vessels crossing within metres
loitering        one vessel drifts offshore 5-20 h (and      drifting 1.5-3.2 h; drifting 5-15
                 every planted encounter of 4.8 h or more)   nm from a port
dark_gap         AIS off 14-30 h far offshore                gaps of 4-9 h offshore; gaps of
                                                             13-22 h while moored in port
port_call        every stay of every port-hopping vessel,    vessels passing ports at speed
                 including calls at DPRK ports
spoofing         a second vessel broadcasts the same MMSI    one bad position fix (two jumps)
                 for 3-8 h, > 200 km away
identity_change  a new name or flag; a new MMSI for the      the same name in other case or
                 same IMO                                    with AIS '@' padding
===============  ==========================================  ==================================

Durations keep clear of the rule thresholds (no planted 3.5-4.7 h drift)
so the truth does not depend on rounding. Generation is vectorised numpy:
the legs of all vessels are concatenated and every sample finds its leg
with one ``searchsorted``; 20 million positions take a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from dprkwatch.maritime.geo import KM_PER_NM, bearing_deg, destination, haversine_km
from dprkwatch.maritime.ports import bundled_dprk_ports

BOX = (25.0, 45.0, 115.0, 140.0)  # lat min, lat max, lon min, lon max
OFFSHORE_KM = 115.0  # planted offshore events sit farther than this from every port
H = 3600.0
OPTIONAL_PORT_CALL_H = 3.0
"""Port calls cut by the data's edges to less than this are optional in the truth."""
_MIDS = (412, 413, 445, 351, 352, 353, 354, 370, 371, 372, 511, 667, 671, 620, 273, 440, 441, 636)
_FLAGS = {
    412: "CN",
    413: "CN",
    445: "KP",
    351: "PA",
    352: "PA",
    353: "PA",
    354: "PA",
    370: "PA",
    371: "PA",
    372: "PA",
    511: "PW",
    667: "SL",
    671: "TG",
    620: "KM",
    273: "RU",
    440: "KR",
    441: "KR",
    636: "LR",
}
_NAME_A = (
    "OCEAN",
    "SEA",
    "GOLDEN",
    "EAST",
    "NORTH",
    "STAR",
    "BLUE",
    "GRAND",
    "PACIFIC",
    "JADE",
    "RICH",
    "NEW",
)
_NAME_B = (
    "STAR",
    "GLORY",
    "PEARL",
    "WAVE",
    "DRAGON",
    "FORTUNE",
    "HARMONY",
    "BRIDGE",
    "LIGHT",
    "WIND",
    "SPIRIT",
)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SynthConfig:
    """Size and mix of a synthetic data set. Counts of planted items are totals."""

    vessels: int = 120
    """Port-hopping background vessels; they make most of the positions."""
    days: int = 2
    start: datetime = datetime(2026, 1, 5, tzinfo=UTC)
    interval_s: float = 120.0
    """Mean report interval of every vessel (each draws its own within +-25%)."""
    seed: int = 7
    synthetic_ports: int = 24
    encounters: int = 8
    loiterers: int = 8
    dark_gaps: int = 8
    spoofers: int = 4
    identity_changes: int = 6
    mmsi_changes: int = 3
    dprk_callers: int = 4
    imo_clones: int = 3
    """Pairs of MMSIs broadcasting one IMO at the same time."""
    antimeridian_encounters: int = 2
    """Encounters whose two vessels lie on either side of 180 degrees longitude."""
    chains: int = 3
    """Transfer chains A -> B -> C; every other one starts with a call at a DPRK port."""
    decoys: int = 6
    """Number of each decoy kind."""

    @classmethod
    def scaled(cls, vessels: int, days: int, **kw: Any) -> SynthConfig:
        """A config whose planted counts grow with the fleet (about 1 in 40 vessels each)."""
        k = max(1, vessels // 40)
        base = dict(
            vessels=vessels,
            days=days,
            encounters=2 * k,
            loiterers=2 * k,
            dark_gaps=2 * k,
            spoofers=k,
            identity_changes=k,
            mmsi_changes=max(1, k // 2),
            dprk_callers=k,
            imo_clones=k,
            antimeridian_encounters=max(1, k // 2),
            chains=k,
            decoys=k,
        )
        base.update(kw)
        return cls(**base)  # type: ignore[arg-type]


@dataclass
class Vessel:
    """One broadcasting identity over one window of time, with its legs."""

    mmsi: int
    imo: str
    name: str
    flag: str
    legs: list[tuple[float, float, float, float, float, float, bool]] = field(default_factory=list)
    """(t0, t1, lat0, lon0, lat1, lon1, stationary) in seconds from the start."""
    active: tuple[float, float] = (0.0, 0.0)
    silent: tuple[float, float] | None = None
    interval: float = 120.0
    glitch_at: float | None = None
    name_after: str | None = None
    flag_after: str | None = None
    mmsi_after: int | None = None
    change_at: float | None = None
    name_variant: bool = False


@dataclass
class Synthetic:
    """A generated data set: positions (input columns), ports, truth and decoys."""

    positions: pl.DataFrame
    ports: pl.DataFrame
    truth: pl.DataFrame
    decoys: pl.DataFrame
    designations: list[dict[str, Any]]
    config: SynthConfig

    def write(self, folder: Any) -> dict[str, Any]:
        """Write positions.parquet, ports.csv, truth.csv, decoys.csv, designated.ftm.json into ``folder``."""
        from pathlib import Path

        import orjson

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        self.positions.write_parquet(out / "positions.parquet", compression="zstd")
        self.ports.select("name", "country", "lat", "lon").write_csv(out / "ports.csv")
        _times_as_text(self.truth).write_csv(out / "truth.csv")
        _times_as_text(self.decoys).write_csv(out / "decoys.csv")
        (out / "designated.ftm.json").write_bytes(
            b"".join(orjson.dumps(e) + b"\n" for e in self.designations)
        )
        return {
            "positions": self.positions.height,
            "truth": self.truth.height,
            "decoys": self.decoys.height,
            "folder": str(out),
        }


def _times_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%SZ") for c in ("start", "end") if c in frame.columns
    )


def imo_check_digit(six: str) -> str:
    """The seventh digit of an IMO number from its first six."""
    return str(sum(int(d) * w for d, w in zip(six, range(7, 1, -1), strict=True)) % 10)


class _World:
    def __init__(self, cfg: SynthConfig) -> None:
        self.cfg = cfg
        self.rng = np.random.default_rng(cfg.seed)
        self.T = cfg.days * 86400.0
        self.ports = self._ports()
        self.plat = self.ports["lat"].to_numpy()
        self.plon = self.ports["lon"].to_numpy()
        self.names = self.ports["name"].to_list()
        self.countries = self.ports["country"].to_list()
        self.vessels: list[Vessel] = []
        self.truth: list[dict[str, Any]] = []
        self.decoys: list[dict[str, Any]] = []
        self.designated: list[Vessel] = []
        self._mmsis: set[int] = set()
        self._imos: set[str] = set()

    # -- identities ---------------------------------------------------------
    def _ports(self) -> pl.DataFrame:
        dprk = bundled_dprk_ports().select("port", "country", "lat", "lon").rename({"port": "name"})
        lat0, lat1, lon0, lon1 = BOX
        lats: list[float] = []
        lons: list[float] = []
        tries = 0
        while len(lats) < self.cfg.synthetic_ports and tries < 10_000:
            tries += 1
            lat = float(self.rng.uniform(lat0 + 1, lat1 - 1))
            lon = float(self.rng.uniform(lon0 + 1, lon1 - 1))
            others_lat = np.array(lats + dprk["lat"].to_list())
            others_lon = np.array(lons + dprk["lon"].to_list())
            if np.all(haversine_km(lat, lon, others_lat, others_lon) > 150.0):
                lats.append(lat)
                lons.append(lon)
        synth = pl.DataFrame(
            {
                "name": [f"SYNTH PORT {i + 1:02d}" for i in range(len(lats))],
                "country": ["ZZZ"] * len(lats),
                "lat": lats,
                "lon": lons,
            }
        )
        return pl.concat([synth, dprk])

    def new_identity(self, mid: int | None = None) -> tuple[int, str, str, str]:
        while True:
            m = int(mid if mid is not None else self.rng.choice(_MIDS))
            mmsi = m * 1_000_000 + int(self.rng.integers(0, 1_000_000))
            if mmsi not in self._mmsis:
                self._mmsis.add(mmsi)
                break
        while True:
            six = str(int(self.rng.integers(100_000, 1_000_000)))
            imo = six + imo_check_digit(six)
            if imo not in self._imos:
                self._imos.add(imo)
                break
        name = (
            f"{self.rng.choice(_NAME_A)} {self.rng.choice(_NAME_B)} {int(self.rng.integers(1, 99))}"
        )
        return mmsi, imo, name, _FLAGS.get(mmsi // 1_000_000, "ZZ")

    def vessel(self, **kw: Any) -> Vessel:
        mmsi, imo, name, flag = self.new_identity(kw.pop("mid", None))
        interval = float(self.cfg.interval_s * self.rng.uniform(0.75, 1.25))
        v = Vessel(mmsi=mmsi, imo=imo, name=name, flag=flag, interval=interval, **kw)
        self.vessels.append(v)
        return v

    # -- geometry -----------------------------------------------------------
    def offshore_point(self, min_km: float = OFFSHORE_KM) -> tuple[float, float]:
        lat0, lat1, lon0, lon1 = BOX
        for _ in range(100_000):
            lat = float(self.rng.uniform(lat0, lat1))
            lon = float(self.rng.uniform(lon0, lon1))
            if np.all(haversine_km(lat, lon, self.plat, self.plon) > min_km):
                return lat, lon
        raise RuntimeError("no offshore point found; too many ports for the box")

    def near_port_point(self, port: int, min_km: float, max_km: float) -> tuple[float, float]:
        for _ in range(1000):
            d = float(self.rng.uniform(min_km, max_km))
            b = float(self.rng.uniform(0, 360))
            lat, lon = destination(
                np.array(self.plat[port]), np.array(self.plon[port]), np.array(b), np.array(d)
            )
            dists = haversine_km(float(lat), float(lon), self.plat, self.plon)
            if dists.min() >= min_km * 0.999:
                return float(lat), float(lon)
        raise RuntimeError("no point near port found")

    def offset(
        self, lat: float, lon: float, km: float, bearing: float | None = None
    ) -> tuple[float, float]:
        b = float(self.rng.uniform(0, 360)) if bearing is None else bearing
        la, lo = destination(np.array(lat), np.array(lon), np.array(b), np.array(km))
        return float(la), float(lo)

    def approach(
        self,
        lat: float,
        lon: float,
        t_arrive: float,
        speed_kn: float,
        hours: float,
        bearing: float | None = None,
    ) -> tuple[float, float, float]:
        """Where a vessel starts to reach (lat, lon) at ``t_arrive`` after ``hours`` at ``speed_kn``."""
        km = speed_kn * KM_PER_NM * hours
        la, lo = self.offset(lat, lon, km, bearing)
        return la, lo, t_arrive - hours * H


def _leg(
    t0: float, t1: float, a: tuple[float, float], b: tuple[float, float], stationary: bool
) -> tuple[float, float, float, float, float, float, bool]:
    return (t0, t1, a[0], a[1], b[0], b[1], stationary)


def _plant(w: _World) -> None:
    cfg = w.cfg
    rng = w.rng
    T = w.T
    dprk_ports = [i for i, c in enumerate(w.countries) if c == "PRK"]

    # ---- background: port hoppers (most positions), some calling at DPRK ports
    for i in range(cfg.vessels):
        v = w.vessel(active=(0.0, T))
        _port_hopper(w, v, force_dprk=dprk_ports if i < cfg.dprk_callers else None)

    # ---- encounters (STS transfers)
    for i in range(cfg.encounters):
        dur = float(rng.uniform(2.5, 3.3) if i % 2 == 0 else rng.uniform(4.8, 10.0)) * H
        a, b, start, end = _meeting(w, dur, sep_km=float(rng.uniform(0.08, 0.25)))
        w.truth.append(_ev("encounter", min(a.mmsi, b.mmsi), max(a.mmsi, b.mmsi), start, end))
        if i < max(1, cfg.encounters // 4):
            w.designated.append(a)

    # ---- loitering
    for _ in range(cfg.loiterers):
        _drifter(w, float(rng.uniform(5.0, 20.0)) * H, truth=True)

    # ---- dark gaps
    for _ in range(cfg.dark_gaps):
        _dark(w, float(rng.uniform(14.0, 30.0)) * H, truth=True)

    # ---- spoofing: a ghost broadcasts a real vessel's MMSI
    for _ in range(cfg.spoofers):
        real = w.vessel(active=(0.0, T))
        _cruiser(w, real, 0.0, T)
        day = int(rng.integers(0, cfg.days))
        w0 = day * 86400.0 + float(rng.uniform(1.0, 12.0)) * H
        w1 = w0 + float(rng.uniform(3.0, 8.0)) * H
        w1 = min(w1, (day + 1) * 86400.0 - H)
        ghost = w.vessel(active=(w0, w1))
        ghost.mmsi = real.mmsi
        ghost.imo, ghost.name, ghost.flag = real.imo, real.name, real.flag
        lat, lon = real.legs[0][2], real.legs[0][3]
        for _ in range(100):
            g = w.offshore_point()
            if haversine_km(g[0], g[1], np.array([lat]), np.array([lon]))[0] > 400:
                break
        _cruiser(w, ghost, w0, w1, origin=g)
        w.truth.append(_ev("spoofing", real.mmsi, None, w0, w1))
        # ... which is also one MMSI used by two transmitters at once
        w.truth.append(_ev("identity_shared", real.mmsi, None, w0, w1, field="mmsi"))

    # ---- identity changes
    for i in range(cfg.identity_changes):
        v = w.vessel(active=(0.0, T))
        _cruiser(w, v, 0.0, T)
        v.change_at = float(rng.uniform(0.2, 0.8)) * T
        if i % 2 == 0:
            v.name_after = (
                f"{rng.choice(_NAME_A)} {rng.choice(_NAME_B)} {int(rng.integers(100, 999))}"
            )
            w.truth.append(
                _ev("identity_change", v.mmsi, None, v.change_at, v.change_at, field="name")
            )
        else:
            v.flag_after = "KM" if v.flag != "KM" else "TG"
            w.truth.append(
                _ev("identity_change", v.mmsi, None, v.change_at, v.change_at, field="flag")
            )
    for _ in range(cfg.mmsi_changes):
        v = w.vessel(active=(0.0, T))
        _cruiser(w, v, 0.0, T)
        v.change_at = float(rng.uniform(0.2, 0.8)) * T
        new_mmsi, _, _, _ = w.new_identity(667)
        v.mmsi_after = new_mmsi
        v.flag_after = "SL"
        w.truth.append(
            _ev("identity_change", new_mmsi, v.mmsi, v.change_at, v.change_at, field="mmsi")
        )
        w.designated.append(v)

    # ---- identity cloning: a second MMSI broadcasts a real vessel's IMO for a while
    for _ in range(cfg.imo_clones):
        real = w.vessel(active=(0.0, T))
        _cruiser(w, real, 0.0, T)
        dur = float(rng.uniform(6.0, 0.6 * cfg.days * 24.0)) * H
        w0 = float(rng.uniform(0.05, 0.95)) * (T - dur)
        clone = w.vessel(active=(w0, w0 + dur))
        clone.imo, clone.name = real.imo, real.name
        _cruiser(w, clone, w0, w0 + dur)
        w.truth.append(
            _ev(
                "identity_shared",
                min(real.mmsi, clone.mmsi),
                max(real.mmsi, clone.mmsi),
                w0,
                w0 + dur,
                field="imo",
            )
        )

    # ---- encounters across the antimeridian (Bering Sea, far from every port)
    for i in range(cfg.antimeridian_encounters):
        dur = float(rng.uniform(2.5, 3.3) if i % 2 == 0 else rng.uniform(4.8, 8.0)) * H
        spot = (float(rng.uniform(50.0, 56.0)), 179.9995)
        a, b, start, end = _meeting(w, dur, float(rng.uniform(0.08, 0.2)), spot, 90.0)
        w.truth.append(_ev("encounter", min(a.mmsi, b.mmsi), max(a.mmsi, b.mmsi), start, end))

    # ---- transfer chains: A (from a DPRK port, every other chain) meets B, B meets C
    for i in range(cfg.chains):
        _chain(w, dprk_ports if i % 2 == 0 else None)

    # ---- decoys
    for _ in range(cfg.decoys):
        dur = float(rng.uniform(0.5, 1.3)) * H
        a, b, start, end = _meeting(w, dur, sep_km=0.15)
        w.decoys.append(_ev("short_meeting", a.mmsi, b.mmsi, start, end))
        _crossing(w)
        _moored_pair(w)
        _drifter(w, float(rng.uniform(1.5, 3.2)) * H, truth=False)
        _drifter(w, float(rng.uniform(5.0, 10.0)) * H, truth=False, near_port=True)
        _dark(w, float(rng.uniform(4.0, 9.0)) * H, truth=False)
        v = w.vessel(active=(0.0, T))
        _port_hopper(w, v, force_dprk=None, dark_in_port=True)
        bad_fix = w.vessel(active=(0.0, T))
        _cruiser(w, bad_fix, 0.0, T)
        bad_fix.glitch_at = float(rng.uniform(0.1, 0.9)) * T
        w.decoys.append(_ev("glitch", bad_fix.mmsi, None, bad_fix.glitch_at, bad_fix.glitch_at))
        n = w.vessel(active=(0.0, T))
        _cruiser(w, n, 0.0, T)
        n.name_variant = True
        w.decoys.append(_ev("name_variant", n.mmsi, None, 0.0, T))
        _brief_stop(w)
        _handover(w)


def _ev(
    kind: str,
    mmsi: int,
    other: int | None,
    start: float,
    end: float,
    *,
    port: str | None = None,
    field: str | None = None,
    dprk: bool | None = None,
) -> dict[str, Any]:
    return {
        "event_type": kind,
        "mmsi": mmsi,
        "other_mmsi": other,
        "start_s": start,
        "end_s": end,
        "port": port,
        "field": field,
        "dprk_port": dprk,
    }


def _port_hopper(
    w: _World, v: Vessel, force_dprk: list[int] | None, dark_in_port: bool = False
) -> None:
    rng = w.rng
    T = w.T
    port = int(rng.integers(0, len(w.names)))
    t = -float(rng.uniform(0, 20)) * H
    first_dprk_done = False
    stays = 0
    while t < T:
        stay = float(rng.uniform(6.0, 40.0)) * H
        berth = w.offset(float(w.plat[port]), float(w.plon[port]), float(rng.uniform(0.3, 1.5)))
        t_end = t + stay
        v.legs.append(_leg(t, t_end, berth, w.offset(*berth, 0.05), True))
        if t_end > 0:
            w.truth.append(
                _ev(
                    "port_call",
                    v.mmsi,
                    None,
                    max(t, 0.0),
                    min(t_end, T),
                    port=w.names[port],
                    dprk=w.countries[port] == "PRK",
                )
            )
        if dark_in_port and stays == 0 and t_end > 0:
            g = float(rng.uniform(13.0, 22.0)) * H
            s0 = max(t, 0.0) + 0.5 * H
            if s0 + g < min(t_end, T) - 0.5 * H:
                v.silent = (s0, s0 + g)
                w.decoys.append(_ev("dark_in_port", v.mmsi, None, s0, s0 + g))
        stays += 1
        if t_end >= T:
            break
        # next port: one of the nearest few, or a DPRK port once for designated callers
        d = haversine_km(float(w.plat[port]), float(w.plon[port]), w.plat, w.plon)
        order = [int(i) for i in np.argsort(d) if int(i) != port]
        nxt = order[int(rng.integers(0, min(5, len(order))))]
        if force_dprk and not first_dprk_done:
            nxt = int(rng.choice(force_dprk))
            first_dprk_done = True
            if nxt == port:
                nxt = order[0]
        speed = float(rng.uniform(9.0, 14.0))
        dest_berth = w.offset(float(w.plat[nxt]), float(w.plon[nxt]), float(rng.uniform(0.3, 1.5)))
        km = float(
            haversine_km(berth[0], berth[1], np.array([dest_berth[0]]), np.array([dest_berth[1]]))[
                0
            ]
        )
        hours = km / (speed * KM_PER_NM)
        v.legs.append(_leg(t_end, t_end + hours * H, berth, dest_berth, False))
        t = t_end + hours * H
        port = nxt


def _cruiser(
    w: _World, v: Vessel, t0: float, t1: float, origin: tuple[float, float] | None = None
) -> None:
    """Transit at constant speed from one offshore waypoint to the next, never stopping."""
    rng = w.rng
    here = origin if origin is not None else w.offshore_point()
    speed = float(rng.uniform(9.0, 16.0))
    t = t0
    while t < t1:
        there = w.offshore_point(min_km=20.0)
        km = float(haversine_km(here[0], here[1], np.array([there[0]]), np.array([there[1]]))[0])
        if km < 50.0:
            continue
        hours = km / (speed * KM_PER_NM)
        v.legs.append(_leg(t, t + hours * H, here, there, False))
        t += hours * H
        here = there


def _meeting(
    w: _World,
    dur: float,
    sep_km: float,
    spot: tuple[float, float] | None = None,
    sep_bearing: float | None = None,
) -> tuple[Vessel, Vessel, float, float]:
    """Two vessels that sail in, drift side by side for about ``dur`` and leave.

    Returns the vessels and the window when both are there (later arrival,
    earlier departure). A vessel whose own drift lasts 4.7 h or more is also
    loitering, and that is added to the truth.
    """
    rng = w.rng
    o = spot if spot is not None else w.offshore_point()
    t_meet = float(rng.uniform(0.1, 0.9)) * (w.T - dur - 0.5 * H)
    pair: list[Vessel] = []
    for k in range(2):
        arrive = t_meet - (0.0 if k == 0 else float(rng.uniform(0.0, 0.2)) * H)
        leave = t_meet + dur + (0.0 if k == 0 else float(rng.uniform(0.0, 0.2)) * H)
        spot = o if k == 0 else w.offset(o[0], o[1], sep_km, sep_bearing)
        lead = float(rng.uniform(3.0, 6.0))
        speed = float(rng.uniform(9.0, 13.0))
        la, lo, t_start = w.approach(spot[0], spot[1], arrive, speed, lead)
        drift = w.offset(spot[0], spot[1], 0.03)
        away = w.offset(drift[0], drift[1], speed * KM_PER_NM * lead)
        v = w.vessel(active=(max(0.0, t_start), min(w.T, leave + lead * H)))
        v.legs = [
            _leg(t_start, arrive, (la, lo), spot, False),
            _leg(arrive, leave, spot, drift, True),
            _leg(leave, leave + lead * H, drift, away, False),
        ]
        if leave - arrive >= 4.7 * H:
            w.truth.append(_ev("loitering", v.mmsi, None, arrive, leave))
        pair.append(v)
    a, b = pair
    start = max(a.legs[1][0], b.legs[1][0])
    end = min(a.legs[1][1], b.legs[1][1])
    return a, b, start, end


def _drifter(w: _World, dur: float, truth: bool, near_port: bool = False) -> None:
    rng = w.rng
    if near_port:
        port = int(rng.integers(0, len(w.names)))
        spot = w.near_port_point(port, 5 * KM_PER_NM, 15 * KM_PER_NM)
    else:
        spot = w.offshore_point()
    t0 = float(rng.uniform(0.05, 0.9)) * (w.T - dur)
    speed = float(rng.uniform(9.0, 13.0))
    lead = float(rng.uniform(2.0, 5.0))
    la, lo, t_start = w.approach(spot[0], spot[1], t0, speed, lead)
    drift_to = w.offset(spot[0], spot[1], float(rng.uniform(0.5, 2.0)))
    away = w.offset(*drift_to, speed * KM_PER_NM * lead)
    v = w.vessel(active=(max(0.0, t_start), min(w.T, t0 + dur + lead * H)))
    v.legs = [
        _leg(t_start, t0, (la, lo), spot, False),
        _leg(t0, t0 + dur, spot, drift_to, True),
        _leg(t0 + dur, t0 + dur + lead * H, drift_to, away, False),
    ]
    if truth:
        w.truth.append(_ev("loitering", v.mmsi, None, t0, t0 + dur))
    else:
        w.decoys.append(
            _ev("drift_near_port" if near_port else "short_drift", v.mmsi, None, t0, t0 + dur)
        )


def _dark(w: _World, gap: float, truth: bool) -> None:
    rng = w.rng
    for _ in range(1000):
        speed = float(rng.uniform(9.0, 13.0))
        o = w.offshore_point()
        heading = float(rng.uniform(0, 360))
        g_end = w.offset(o[0], o[1], speed * KM_PER_NM * gap / H, heading)
        if np.all(haversine_km(g_end[0], g_end[1], w.plat, w.plon) > OFFSHORE_KM):
            break
    lead = float(rng.uniform(3.0, 6.0)) * H
    s0 = float(rng.uniform(0.05, 0.9)) * (w.T - gap - 2 * lead) + lead
    start = w.offset(o[0], o[1], speed * KM_PER_NM * lead / H, (heading + 180.0) % 360.0)
    end = w.offset(g_end[0], g_end[1], speed * KM_PER_NM * lead / H, heading)
    v = w.vessel(active=(s0 - lead, s0 + gap + lead))
    v.legs = [_leg(s0 - lead, s0 + gap + lead, start, end, False)]
    v.silent = (s0, s0 + gap)
    kind = "dark_gap" if truth else "short_gap"
    (w.truth if truth else w.decoys).append(_ev(kind, v.mmsi, None, s0, s0 + gap))


def _crossing(w: _World) -> None:
    rng = w.rng
    o = w.offshore_point()
    tc = float(rng.uniform(0.2, 0.8)) * w.T
    h0 = float(rng.uniform(0, 360))
    mm = []
    for k in range(2):
        speed = float(rng.uniform(10.0, 18.0))
        heading = (h0 + 90.0 * k) % 360.0
        la, lo, t0 = w.approach(o[0], o[1], tc, speed, 3.0, bearing=(heading + 180.0) % 360.0)
        away = w.offset(o[0], o[1], speed * KM_PER_NM * 3.0, heading)
        v = w.vessel(active=(max(0.0, t0), min(w.T, tc + 3 * H)))
        v.legs = [_leg(t0, tc, (la, lo), o, False), _leg(tc, tc + 3 * H, o, away, False)]
        mm.append(v.mmsi)
    w.decoys.append(_ev("fast_crossing", mm[0], mm[1], tc - 0.5 * H, tc + 0.5 * H))


def _moored_pair(w: _World) -> None:
    rng = w.rng
    port = int(rng.integers(0, len(w.names)))
    berth = w.offset(float(w.plat[port]), float(w.plon[port]), float(rng.uniform(0.3, 1.0)))
    t0 = float(rng.uniform(0.1, 0.6)) * w.T
    dur = float(rng.uniform(6.0, 20.0)) * H
    mm = []
    for k in range(2):
        spot = berth if k == 0 else w.offset(berth[0], berth[1], 0.1)
        speed = float(rng.uniform(9.0, 12.0))
        la, lo, t_start = w.approach(spot[0], spot[1], t0, speed, 3.0)
        away = w.offset(spot[0], spot[1], speed * KM_PER_NM * 3.0)
        v = w.vessel(active=(max(0.0, t_start), min(w.T, t0 + dur + 3 * H)))
        v.legs = [
            _leg(t_start, t0, (la, lo), spot, False),
            _leg(t0, t0 + dur, spot, w.offset(*spot, 0.03), True),
            _leg(t0 + dur, t0 + dur + 3 * H, spot, away, False),
        ]
        w.truth.append(
            _ev(
                "port_call",
                v.mmsi,
                None,
                t0,
                t0 + dur,
                port=w.names[port],
                dprk=w.countries[port] == "PRK",
            )
        )
        mm.append(v.mmsi)
    w.decoys.append(_ev("moored_pair", mm[0], mm[1], t0, t0 + dur))


def _chain(w: _World, dprk_ports: list[int] | None) -> None:
    """A meets B offshore, B sails on and meets C: two encounters and one transfer chain.

    With ``dprk_ports``, A first stays at one of them (a DPRK port call the
    chain must be flagged with). Distances are kept short enough for the
    whole chain to fit in two days.
    """
    rng = w.rng
    meet = (float(rng.uniform(2.5, 3.3)) * H, float(rng.uniform(2.5, 3.3)) * H)
    lead = 4.0 * H
    speed_a = float(rng.uniform(11.0, 13.0))
    speed_b = float(rng.uniform(9.0, 11.0))
    dprk = int(rng.choice(dprk_ports)) if dprk_ports else None
    if dprk is not None:
        berth = w.offset(float(w.plat[dprk]), float(w.plon[dprk]), float(rng.uniform(0.3, 1.0)))
        spot1 = _offshore_within(w, berth, 130.0, 250.0)
        km_a = _km(berth, spot1)
        port_stay = float(rng.uniform(6.0, 10.0)) * H
        pre = port_stay + km_a / (speed_a * KM_PER_NM) * H
    else:
        spot1 = w.offshore_point()
        pre = lead
    spot2 = _offshore_within(w, spot1, 120.0, 220.0)
    travel = _km(spot1, spot2) / (speed_b * KM_PER_NM) * H + 0.3 * H
    total = pre + meet[0] + travel + meet[1] + lead
    t1 = float(rng.uniform(0.05, 0.95)) * max(w.T - total, 0.0) + pre
    e1 = (t1, t1 + meet[0])
    e2 = (e1[1] + travel, e1[1] + travel + meet[1])
    sep = float(rng.uniform(0.08, 0.2))
    spot1b = w.offset(spot1[0], spot1[1], sep)
    spot2c = w.offset(spot2[0], spot2[1], sep)

    a_start = e1[0] - pre
    a = w.vessel(active=(max(0.0, a_start), min(w.T, e1[1] + lead)))
    if dprk is not None:
        a.legs = [
            _leg(a_start, a_start + port_stay, berth, w.offset(*berth, 0.03), True),
            _leg(a_start + port_stay, e1[0], berth, spot1, False),
        ]
        w.truth.append(
            _ev(
                "port_call",
                a.mmsi,
                None,
                a_start,
                a_start + port_stay,
                port=w.names[dprk],
                dprk=True,
            )
        )
    else:
        la, lo, _ = w.approach(spot1[0], spot1[1], e1[0], speed_a, lead / H)
        a.legs = [_leg(a_start, e1[0], (la, lo), spot1, False)]
    drift_a = w.offset(*spot1, 0.03)
    a.legs += [
        _leg(e1[0], e1[1], spot1, drift_a, True),
        _leg(e1[1], e1[1] + lead, drift_a, w.offset(*drift_a, speed_a * KM_PER_NM * 4), False),
    ]

    la, lo, b_start = w.approach(spot1b[0], spot1b[1], e1[0], speed_b, lead / H)
    b = w.vessel(active=(max(0.0, b_start), min(w.T, e2[1] + lead)))
    drift_b = w.offset(*spot1b, 0.03)
    b.legs = [
        _leg(b_start, e1[0], (la, lo), spot1b, False),
        _leg(e1[0], e1[1], spot1b, drift_b, True),
        _leg(e1[1], e2[0], drift_b, spot2, False),
        _leg(e2[0], e2[1], spot2, w.offset(*spot2, 0.03), True),
        _leg(e2[1], e2[1] + lead, spot2, w.offset(*spot2, speed_b * KM_PER_NM * 4), False),
    ]
    la, lo, c_start = w.approach(spot2c[0], spot2c[1], e2[0], speed_a, lead / H)
    c = w.vessel(active=(max(0.0, c_start), min(w.T, e2[1] + lead)))
    drift_c = w.offset(*spot2c, 0.03)
    c.legs = [
        _leg(c_start, e2[0], (la, lo), spot2c, False),
        _leg(e2[0], e2[1], spot2c, drift_c, True),
        _leg(e2[1], e2[1] + lead, drift_c, w.offset(*drift_c, speed_a * KM_PER_NM * 4), False),
    ]
    for (x, y), (s0, s1) in (((a, b), e1), ((b, c), e2)):
        w.truth.append(_ev("encounter", min(x.mmsi, y.mmsi), max(x.mmsi, y.mmsi), s0, s1))
    w.truth.append(_ev("transfer_chain", a.mmsi, c.mmsi, e1[0], e2[1], dprk=dprk is not None))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_km(a[0], a[1], np.array([b[0]]), np.array([b[1]]))[0])


def _offshore_within(
    w: _World, origin: tuple[float, float], min_km: float, max_km: float
) -> tuple[float, float]:
    """An offshore point (far from every port) at ``min_km``..``max_km`` from ``origin``."""
    for _ in range(10_000):
        b = float(w.rng.uniform(0, 360))
        p = w.offset(origin[0], origin[1], float(w.rng.uniform(min_km, max_km)), b)
        lat0, lat1, lon0, lon1 = BOX
        inside = lat0 <= p[0] <= lat1 and lon0 <= p[1] <= lon1
        if inside and np.all(haversine_km(p[0], p[1], w.plat, w.plon) > OFFSHORE_KM):
            return p
    raise RuntimeError("no offshore point at that distance")


def _brief_stop(w: _World) -> None:
    """A vessel that comes in from sea, stops 50-65 minutes at a berth and leaves: no port call."""
    rng = w.rng
    port = int(rng.integers(0, len(w.names)))
    berth = w.offset(float(w.plat[port]), float(w.plon[port]), float(rng.uniform(0.3, 1.0)))
    stop = float(rng.uniform(50.0, 65.0)) * 60.0
    t0 = float(rng.uniform(0.1, 0.8)) * w.T
    speed = float(rng.uniform(9.0, 12.0))
    la, lo, t_start = w.approach(berth[0], berth[1], t0, speed, 3.0)
    away = w.offset(berth[0], berth[1], speed * KM_PER_NM * 3.0)
    v = w.vessel(active=(max(0.0, t_start), min(w.T, t0 + stop + 3 * H)))
    v.legs = [
        _leg(t_start, t0, (la, lo), berth, False),
        _leg(t0, t0 + stop, berth, w.offset(*berth, 0.02), True),
        _leg(t0 + stop, t0 + stop + 3 * H, berth, away, False),
    ]
    w.decoys.append(_ev("brief_port_stop", v.mmsi, None, t0, t0 + stop))


def _handover(w: _World) -> None:
    """A new MMSI for one IMO, with the old transmitter on for 10-30 more minutes: a change.

    The two MMSIs overlap by less than ``shared_min_hours``, so this must be
    reported as an identity change, not as a shared identity.
    """
    rng = w.rng
    old = w.vessel(active=(0.0, w.T))
    _cruiser(w, old, 0.0, w.T)
    change = float(rng.uniform(0.2, 0.8)) * w.T
    overlap = float(rng.uniform(10.0, 30.0)) * 60.0
    old.active = (0.0, change + overlap)
    new = w.vessel(active=(change, w.T))
    new.imo, new.name, new.legs = old.imo, old.name, list(old.legs)
    w.truth.append(_ev("identity_change", new.mmsi, old.mmsi, change, change, field="mmsi"))
    w.decoys.append(_ev("brief_handover", new.mmsi, old.mmsi, change, change + overlap))


# --------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------


def _sample(w: _World) -> pl.DataFrame:
    rng = w.rng
    vs = w.vessels
    n_v = len(vs)
    a = np.array([max(v.active[0], 0.0) for v in vs])
    b = np.array([min(v.active[1], w.T) for v in vs])
    step = np.array([v.interval for v in vs])
    counts = np.maximum(0, np.floor((b - a) / step).astype(np.int64))
    total = int(counts.sum())
    owner = np.repeat(np.arange(n_v), counts)
    first_idx = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(total) - first_idx
    t = a[owner] + k * step[owner] + rng.uniform(0.0, 5.0, total)

    # legs of all vessels, concatenated and keyed by (vessel, t0)
    leg_rows = [(i, *leg) for i, v in enumerate(vs) for leg in v.legs]
    L = np.array([r[:7] for r in leg_rows], dtype=np.float64)
    stationary = np.array([r[7] for r in leg_rows], dtype=bool)
    order = np.lexsort((L[:, 1], L[:, 0]))
    L = L[order]
    stationary = stationary[order]
    span = 1e8
    leg_key = L[:, 0] * span + L[:, 1] + 3e7  # t0 may be negative (stays before the start)
    key = owner * span + t + 3e7
    li = np.clip(np.searchsorted(leg_key, key, side="right") - 1, 0, len(L) - 1)
    t0, t1 = L[li, 1], L[li, 2]
    frac = np.clip((t - t0) / np.maximum(t1 - t0, 1e-9), 0.0, 1.0)
    lat = L[li, 3] + frac * (L[li, 5] - L[li, 3])
    # the short way round, also across the antimeridian
    dlon = (L[li, 6] - L[li, 4] + 540.0) % 360.0 - 180.0
    lon = L[li, 4] + frac * dlon
    leg_km = haversine_km(L[:, 3], L[:, 4], L[:, 5], L[:, 6])
    leg_kn = leg_km / np.maximum((L[:, 2] - L[:, 1]) / H, 1e-9) / KM_PER_NM
    still = stationary[li]
    leg_bearing = bearing_deg(L[:, 3], L[:, 4], L[:, 5], L[:, 6])
    sog = np.where(
        still,
        rng.uniform(0.05, 0.9, total),
        np.maximum(leg_kn[li] + rng.normal(0, 0.2, total), 2.5),
    )
    cog = (
        np.where(still, rng.uniform(0, 360, total), leg_bearing[li] + rng.normal(0, 1.0, total))
        % 360.0
    )
    # position noise of about 10 m
    lat = lat + rng.normal(0, 0.00009, total)
    lon = lon + rng.normal(0, 0.00009, total) / np.cos(np.radians(lat))
    lon = (lon + 540.0) % 360.0 - 180.0

    keep = np.ones(total, dtype=bool)
    silent_lo = np.array([v.silent[0] if v.silent else np.inf for v in vs])
    silent_hi = np.array([v.silent[1] if v.silent else -np.inf for v in vs])
    keep &= ~((t >= silent_lo[owner]) & (t <= silent_hi[owner]))
    glitch = np.array([v.glitch_at if v.glitch_at is not None else np.nan for v in vs])
    has_g = np.flatnonzero(~np.isnan(glitch[owner]))
    hit = has_g[np.abs(t[has_g] - glitch[owner[has_g]]) < step[owner[has_g]] / 2]
    lat[hit] += 0.5

    change = np.array([v.change_at if v.change_at is not None else np.inf for v in vs])
    after = t >= change[owner]
    mmsi_before = np.array([v.mmsi for v in vs], dtype=np.int64)
    mmsi_after = np.array([v.mmsi_after or v.mmsi for v in vs], dtype=np.int64)
    mmsi = np.where(after, mmsi_after[owner], mmsi_before[owner])

    start_us = int(w.cfg.start.timestamp() * 1_000_000)
    frame = pl.DataFrame(
        {
            "mmsi": mmsi.astype(np.int32),
            "timestamp": (t * 1_000_000).astype(np.int64) + start_us,
            "lat": lat,
            "lon": lon,
            "sog": np.round(sog, 1),
            "cog": np.round(cog, 1),
        }
    )
    # Static fields on about one report in twenty, as with AIS message 5 every few minutes.
    srows = np.flatnonzero((k % 20) == 0)
    vessels = pl.DataFrame(
        {
            "_owner": np.arange(n_v),
            "_name": [v.name for v in vs],
            "_name_after": [v.name_after or v.name for v in vs],
            "_flag": [v.flag for v in vs],
            "_flag_after": [v.flag_after or v.flag for v in vs],
            "_imo": [v.imo for v in vs],
            "_variant": [v.name_variant for v in vs],
        }
    )
    static = (
        pl.DataFrame(
            {"_owner": owner[srows], "_after": after[srows], "_alt": (k[srows] // 20) % 2 == 1}
        )
        .join(vessels, on="_owner", how="left", maintain_order="left")
        .select(
            pl.when(pl.col("_after"))
            .then(pl.col("_name_after"))
            .otherwise(pl.col("_name"))
            .alias("name"),
            pl.when(pl.col("_after"))
            .then(pl.col("_flag_after"))
            .otherwise(pl.col("_flag"))
            .alias("flag"),
            pl.col("_imo").alias("imo"),
            (pl.col("_variant") & pl.col("_alt")).alias("_variant"),
        )
        .with_columns(
            pl.when(pl.col("_variant"))
            .then(pl.col("name").str.to_titlecase() + "@@@")
            .otherwise(pl.col("name"))
            .alias("name")
        )
    )
    for col in ("imo", "name", "flag"):
        full = pl.repeat(None, total, dtype=pl.String, eager=True).alias(col)
        frame = frame.with_columns(full.scatter(srows, static[col]))
    # In time order, as a feed delivers it (a spoofed MMSI's two ships interleave).
    return (
        frame.filter(pl.Series(keep))
        .sort("timestamp", maintain_order=True)
        .with_columns(
            pl.col("timestamp").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        )
    )


def _truth_frame(w: _World, rows: list[dict[str, Any]]) -> pl.DataFrame:
    start = w.cfg.start
    out = pl.DataFrame(
        rows,
        schema={
            "event_type": pl.String,
            "mmsi": pl.Int32,
            "other_mmsi": pl.Int32,
            "start_s": pl.Float64,
            "end_s": pl.Float64,
            "port": pl.String,
            "field": pl.String,
            "dprk_port": pl.Boolean,
        },
    )
    # A stay cut by the start or end of the data leaves only minutes of a port
    # call: whether a detector should report it depends on where the cut fell,
    # so such calls are neither required nor counted as false when found.
    optional = (pl.col("event_type") == "port_call") & (
        (pl.col("end_s").clip(upper_bound=w.T) - pl.col("start_s").clip(lower_bound=0.0))
        < OPTIONAL_PORT_CALL_H * H
    )
    out = out.with_columns(
        optional.alias("optional"),
        pl.col("start_s").clip(lower_bound=0.0),
        pl.col("end_s").clip(upper_bound=w.T),
    )
    return (
        out.with_columns(
            (
                pl.lit(start) + pl.duration(microseconds=(pl.col("start_s") * 1e6).cast(pl.Int64))
            ).alias("start"),
            (
                pl.lit(start) + pl.duration(microseconds=(pl.col("end_s") * 1e6).cast(pl.Int64))
            ).alias("end"),
        )
        .drop("start_s", "end_s")
        .select(
            "event_type",
            "mmsi",
            "other_mmsi",
            "start",
            "end",
            "port",
            "field",
            "dprk_port",
            "optional",
        )
        .sort(["event_type", "mmsi", "start"])
    )


def _designations(w: _World) -> list[dict[str, Any]]:
    """A tiny FtM list naming some planted vessels (for vessel-risk tests and demos)."""
    out = []
    for i, v in enumerate(w.designated):
        out.append(
            {
                "id": f"synth-vessel-{i + 1}",
                "schema": "Vessel",
                "datasets": ["synthetic"],
                "properties": {
                    "name": [v.name],
                    "imoNumber": [f"IMO{v.imo}"],
                    "mmsi": [str(v.mmsi)],
                    "flag": [v.flag.lower()],
                    "programId": ["DPRK3"],
                    "topics": ["sanction"],
                },
            }
        )
    return out


def generate(cfg: SynthConfig | None = None) -> Synthetic:
    """Generate positions, ports, truth and decoys for ``cfg`` (deterministic per seed)."""
    cfg = cfg or SynthConfig()
    w = _World(cfg)
    _plant(w)
    positions = _sample(w)
    # clip the truth to what was actually observed
    truth = _truth_frame(w, w.truth)
    decoys = _truth_frame(w, w.decoys).drop("field", "dprk_port", "port", "optional")
    ports = w.ports.rename({}).with_columns(pl.col("lat").round(6), pl.col("lon").round(6))
    return Synthetic(
        positions=positions,
        ports=ports,
        truth=truth,
        decoys=decoys,
        designations=_designations(w),
        config=cfg,
    )


__all__ = ["SynthConfig", "Synthetic", "generate", "imo_check_digit"]
