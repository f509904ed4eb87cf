"""A straightforward numpy + DuckDB script applying dprkwatch's detector rules, as a yardstick.

This is what an analyst would write in an afternoon to do the same job
without dprkwatch: DuckDB reads the Parquet file, drops impossible rows and
sorts everything by vessel and time; numpy computes each position's step
from the previous one and the rules' runs; DuckDB joins the encounter grid
and groups the identity reports. It applies the rules of
``dprkwatch.maritime.Rules`` (default values) for the six original event
types: encounters, loitering, dark gaps, port calls (with the 2 h minimum),
spoofing and identity changes. It does not split days, stream, or keep a
store; it holds the whole input in memory.

Nearest ports: positions and ports as unit vectors, nearest port by the
largest dot product (one matrix product per million positions), then the
haversine distance to it.

    python benchmarks/maritime_reference.py POSITIONS.parquet PORTS.csv [--out events.json]

Prints one JSON line: event counts per type, seconds per step and in total.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

R_KM = 6371.0088
KM_PER_NM = 1.852
US = 1_000_000

# The default rules of dprkwatch.maritime.Rules, restated.
MAX_SPEED_KMH = 30.0 * KM_PER_NM
MAX_GAP_S = 24 * 3600.0
NOISE_KM = 0.1
SLOW_KN = 2.0
ENC_KM, ENC_MIN_H, ENC_PORT_KM, ENC_MERGE_H, BUCKET_S, ENC_GAP_BUCKETS = 0.5, 2.0, 10.0, 4.0, 600, 3
LOITER_H, LOITER_PORT_KM = 4.0, 20.0 * KM_PER_NM
GAP_H, GAP_PORT_KM = 12.0, 50.0 * KM_PER_NM
PORT_ENTRY_KM, PORT_EXIT_KM, PORT_MIN_H = 3.0, 4.0, 2.0
SPOOF_JUMPS = 5


def haversine(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * R_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def unit(lat: Any, lon: Any) -> Any:
    p, q = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(p) * np.cos(q), np.cos(p) * np.sin(q), np.sin(p)], axis=1)


def nearest_port(lat: Any, lon: Any, plat: Any, plon: Any) -> tuple[Any, Any]:
    pv = unit(plat, plon)
    idx = np.empty(len(lat), dtype=np.int64)
    for a in range(0, len(lat), 1_000_000):
        b = min(a + 1_000_000, len(lat))
        idx[a:b] = np.argmax(unit(lat[a:b], lon[a:b]) @ pv.T, axis=1)
    return haversine(lat, lon, plat[idx], plon[idx]), idx


def runs(flag: Any, cont: Any) -> tuple[Any, Any]:
    """Start and end row of each maximal run of ``flag`` rows continuing each other."""
    rows = np.flatnonzero(flag)
    if len(rows) == 0:
        return rows, rows
    starts = np.flatnonzero(~cont[rows])
    return rows[starts], rows[np.append(starts[1:], len(rows)) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("positions", type=Path)
    ap.add_argument("ports", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    t_all = time.perf_counter()
    steps: dict[str, float] = {}
    con = duckdb.connect()

    def step(name: str, t0: float) -> float:
        steps[name] = round(time.perf_counter() - t0, 3)
        return time.perf_counter()

    t = time.perf_counter()
    cols = con.execute(
        """
        SELECT mmsi, epoch_us(timestamp) AS t, lat, lon, sog
        FROM read_parquet(?)
        WHERE mmsi BETWEEN 1 AND 999999999 AND timestamp IS NOT NULL
          AND lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180
          AND (sog IS NULL OR sog <= 102.3)
        ORDER BY mmsi, t
        """,
        [str(args.positions)],
    ).fetchnumpy()
    mmsi = np.asarray(cols["mmsi"], dtype=np.int64)
    ts = np.asarray(cols["t"], dtype=np.int64)
    lat = np.asarray(cols["lat"], dtype=np.float64)
    lon = np.asarray(cols["lon"], dtype=np.float64)
    sog = np.ma.filled(np.ma.asarray(cols["sog"], dtype=np.float64), np.nan)
    keep = np.ones(len(ts), dtype=bool)
    keep[1:] = ~((mmsi[1:] == mmsi[:-1]) & (ts[1:] == ts[:-1]))  # first report of an instant
    mmsi, ts, lat, lon, sog = mmsi[keep], ts[keep], lat[keep], lon[keep], sog[keep]
    n = len(ts)
    t = step("read_sort", t)

    ports = con.execute(
        "SELECT lat, lon, country FROM read_csv_auto(?)", [str(args.ports)]
    ).fetchnumpy()
    plat = np.asarray(ports["lat"], dtype=np.float64)
    plon = np.asarray(ports["lon"], dtype=np.float64)
    d_port, port = nearest_port(lat, lon, plat, plon)
    t = step("nearest_port", t)

    same = np.zeros(n, dtype=bool)
    same[1:] = mmsi[1:] == mmsi[:-1]
    dt = np.zeros(n)
    dist = np.zeros(n)
    dt[1:] = (ts[1:] - ts[:-1]) / US
    dist[1:] = haversine(lat[:-1], lon[:-1], lat[1:], lon[1:])
    jump = same & (dist > MAX_SPEED_KMH * dt / 3600 + NOISE_KM)
    newseg = ~same | jump | (dt > MAX_GAP_S)
    slow = sog < SLOW_KN
    t = step("tracks", t)

    counts: dict[str, int] = {}
    # spoofing: MMSI-days with many jumps
    day = ts // (86400 * US)
    jm = np.flatnonzero(jump)
    if len(jm):
        _, per = np.unique(np.stack([mmsi[jm], day[jm]], axis=1), axis=0, return_counts=True)
        counts["spoofing"] = int((per >= SPOOF_JUMPS).sum())
    # dark gaps: long silences with both ends far from ports
    g = np.flatnonzero(same & ~jump & (dt >= GAP_H * 3600))
    counts["dark_gap"] = int(((d_port[g - 1] > GAP_PORT_KM) & (d_port[g] > GAP_PORT_KM)).sum())
    # loitering: slow runs far from ports
    lq = slow & (d_port > LOITER_PORT_KM)
    lcont = np.zeros(n, dtype=bool)
    lcont[1:] = lq[1:] & lq[:-1] & ~newseg[1:]
    s, e = runs(lq, lcont)
    counts["loitering"] = int(((ts[e] - ts[s]) >= LOITER_H * 3600 * US).sum())
    # port calls: runs at one port with a stop, from the first position within the entry radius
    pid = np.where(d_port <= PORT_EXIT_KM, port, -1)
    pq = pid >= 0
    pcont = np.zeros(n, dtype=bool)
    pcont[1:] = pq[1:] & (pid[1:] == pid[:-1]) & ~newseg[1:]
    s, e = runs(pq, pcont)
    calls = 0
    if len(s):
        rows = np.flatnonzero(pq)
        run_of = np.cumsum(~pcont[rows]) - 1
        entry_t = np.where(d_port[rows] <= PORT_ENTRY_KM, ts[rows], np.iinfo(np.int64).max)
        first_entry = np.full(len(s), np.iinfo(np.int64).max)
        np.minimum.at(first_entry, run_of, entry_t)
        stopped = np.zeros(len(s), dtype=bool)
        np.logical_or.at(stopped, run_of, slow[rows])
        long_enough = (ts[e] - first_entry) >= PORT_MIN_H * 3600 * US
        calls = int((stopped & (first_entry < np.iinfo(np.int64).max) & long_enough).sum())
    counts["port_call"] = calls
    t = step("runs", t)

    # encounters: one representative per vessel and ten-minute bucket, grid self-join in DuckDB
    cand = slow & (d_port > ENC_PORT_KM)
    ci = np.flatnonzero(cand)
    bucket = ts[ci] // (BUCKET_S * US)
    first = np.ones(len(ci), dtype=bool)
    first[1:] = ~((mmsi[ci][1:] == mmsi[ci][:-1]) & (bucket[1:] == bucket[:-1]))
    reps = ci[first]
    cell = ENC_KM * 1.01 / 111.2
    rep = {
        "mmsi": mmsi[reps],
        "t": ts[reps],
        "lat": lat[reps],
        "lon": lon[reps],
        "bucket": bucket[first],
        "cy": np.floor(lat[reps] / cell).astype(np.int64),
        "cx": np.floor(
            lon[reps] / (cell / np.cos(np.radians(np.minimum(np.abs(lat[reps]) + cell, 89.9))))
        ).astype(np.int64),
    }
    con.register("reps", rep)
    enc = con.execute(
        f"""
        WITH probe AS (
            SELECT r.*, r.cy + dy AS py, r.cx + dx AS px
            FROM reps r, (SELECT UNNEST([-1, 0, 1]) AS dy), (SELECT UNNEST([-1, 0, 1]) AS dx)
        ), close AS (
            SELECT a.mmsi AS a, b.mmsi AS b, a.bucket,
                   least(a.t, b.t) AS t_lo, greatest(a.t, b.t) AS t_hi
            FROM probe a JOIN reps b ON a.bucket = b.bucket AND a.py = b.cy AND a.px = b.cx
            WHERE a.mmsi < b.mmsi
              AND 2 * {R_KM} * asin(sqrt(least(1, pow(sin(radians(b.lat - a.lat) / 2), 2)
                  + cos(radians(a.lat)) * cos(radians(b.lat)) * pow(sin(radians(b.lon - a.lon) / 2), 2))))
                  <= {ENC_KM}
        ), steps AS (
            SELECT *, CASE WHEN bucket - lag(bucket) OVER w <= {ENC_GAP_BUCKETS} THEN 0 ELSE 1 END AS brk
            FROM close WINDOW w AS (PARTITION BY a, b ORDER BY bucket)
        ), runs AS (
            SELECT a, b, min(t_lo) AS s, max(t_hi) AS e FROM (
                SELECT *, sum(brk) OVER (PARTITION BY a, b ORDER BY bucket) AS run FROM steps
            ) GROUP BY a, b, run HAVING max(t_hi) - min(t_lo) >= {int(ENC_MIN_H * 3600 * US)}
        ), merged AS (
            SELECT *, CASE WHEN s - lag(e) OVER (PARTITION BY a, b ORDER BY s)
                           < {int(ENC_MERGE_H * 3600 * US)} THEN 0 ELSE 1 END AS brk
            FROM runs
        )
        SELECT count(DISTINCT (a, b, m)) FROM (
            SELECT a, b, sum(brk) OVER (PARTITION BY a, b ORDER BY s) AS m FROM merged
        )
        """
    ).fetchone()
    assert enc is not None
    counts["encounter"] = int(enc[0])
    t = step("encounters", t)

    # identity changes: a value reported for the first time after another one
    changes = con.execute(
        """
        WITH reports AS (
            SELECT mmsi, epoch_us(timestamp) AS t, upper(trim(name)) AS name, flag, imo
            FROM read_parquet(?) WHERE name IS NOT NULL OR flag IS NOT NULL OR imo IS NOT NULL
        ), long AS (
            SELECT mmsi, t, 'name' AS field, regexp_replace(replace(name, '@', ''), '\\s+', ' ', 'g') AS value
                FROM reports WHERE name IS NOT NULL
            UNION ALL SELECT mmsi, t, 'flag', upper(flag) FROM reports WHERE flag IS NOT NULL
            UNION ALL SELECT mmsi, t, 'imo', imo FROM reports WHERE imo IS NOT NULL
        ), firsts AS (
            SELECT mmsi, field, value, min(t) AS f FROM long GROUP BY ALL
        ), fields AS (
            SELECT count(*) - count(DISTINCT (mmsi, field)) AS n FROM firsts
        ), imo_firsts AS (
            SELECT value, mmsi, min(t) AS f, max(t) AS l FROM long WHERE field = 'imo' GROUP BY ALL
        ), swaps AS (
            SELECT count(*) - count(DISTINCT value) AS n FROM imo_firsts
        )
        SELECT (SELECT n FROM fields), (SELECT n FROM swaps)
        """,
        [str(args.positions)],
    ).fetchone()
    assert changes is not None
    counts["identity_change"] = int(changes[0]) + int(changes[1])
    step("identity", t)
    total = round(time.perf_counter() - t_all, 3)
    result = {
        "positions": n,
        "events": dict(sorted(counts.items())),
        "steps": steps,
        "seconds": total,
    }
    if args.out:
        args.out.write_text(json.dumps(result), encoding="utf-8")
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
