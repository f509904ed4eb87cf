"""Evidence for one event: the track excerpt as GeoJSON and KML, and a one-page PNG map.

An investigator's report needs more than a row of a table: it needs the
positions that made the event, in formats other tools open (GeoJSON for
QGIS and web maps, KML for Google Earth) and a picture that can go straight
into a document. For an event this module takes every position of the
vessels involved from ``margin`` before the event to ``margin`` after it,
and writes:

* ``<event_id>.geojson``: one (Multi)LineString per vessel with its report
  times, plus a Point for the event carrying every event column (RFC 7946:
  longitude first, lines cut at ±180°);
* ``<event_id>.kml``: the same tracks and the event as KML 2.2 placemarks,
  with the event's time span;
* ``<event_id>.png``: a one-page map (A4 landscape at 150 dpi), drawn with
  matplotlib's Agg backend, offline: the tracks with nearby ports, a zoom on
  the positions inside the event window (an encounter's two ships side by
  side), the event's place, and a caption with the event's type, vessels,
  times and detail.

The vessels of an event: ``mmsi`` and ``other_mmsi``, and for a transfer
chain every vessel named in its detail.
"""

from __future__ import annotations

import math
import re
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import orjson
import polars as pl

from dprkwatch import durable
from dprkwatch.exceptions import NotFoundError
from dprkwatch.maritime.exceptions import AisInputError, StoreEmpty
from dprkwatch.maritime.ingest import PositionReader
from dprkwatch.maritime.ports import Ports
from dprkwatch.maritime.store import PositionStore

DEFAULT_MARGIN = timedelta(hours=6)
_MMSI = re.compile(r"(?<!\d)\d{9}(?!\d)")
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")


def vessels_of(event: dict[str, Any]) -> list[int]:
    """The MMSIs an event is about, in the order the event names them."""
    found: list[int] = [int(event["mmsi"])] if event.get("mmsi") is not None else []
    if event.get("other_mmsi") is not None:
        found.append(int(event["other_mmsi"]))
    if event.get("event_type") == "transfer_chain":
        found += [int(m) for m in _MMSI.findall(str(event.get("detail") or "").split(" (")[0])]
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Excerpt:
    """The positions of an event's vessels around the event."""

    event: dict[str, Any]
    positions: pl.DataFrame
    """mmsi, ts, lat, lon, sog, sorted by (mmsi, ts); ``in_window`` marks the event's own span."""
    window: tuple[datetime, datetime]

    @property
    def vessels(self) -> list[int]:
        return vessels_of(self.event)


def excerpt(
    event: dict[str, Any], days: Iterable[pl.DataFrame], margin: timedelta = DEFAULT_MARGIN
) -> Excerpt:
    """Cut the vessels' positions from ``days`` (frames with mmsi, ts, lat, lon, sog)."""
    start, end = event["start"], event["end"]
    lo, hi = start - margin, end + margin
    vessels = vessels_of(event)
    parts = [
        d.filter(pl.col("mmsi").is_in(vessels) & pl.col("ts").is_between(lo, hi)).select(
            "mmsi", "ts", "lat", "lon", "sog"
        )
        for d in days
    ]
    parts = [p for p in parts if p.height]
    if not parts:
        raise AisInputError(
            f"no positions of mmsi {', '.join(map(str, vessels))} between {lo:%Y-%m-%d %H:%M} "
            f"and {hi:%Y-%m-%d %H:%M} UTC in the positions given",
            source=str(event.get("event_id")),
        )
    positions = (
        pl.concat(parts)
        .sort(["mmsi", "ts"])
        .with_columns(pl.col("ts").is_between(start, end).alias("in_window"))
    )
    return Excerpt(event=event, positions=positions, window=(lo, hi))


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _split_at_antimeridian(coords: list[list[float]]) -> list[list[list[float]]]:
    """Pieces of a line that never jump across ±180° (RFC 7946 section 3.1.9)."""
    pieces: list[list[list[float]]] = [[]]
    for point in coords:
        if pieces[-1] and abs(point[0] - pieces[-1][-1][0]) > 180.0:
            pieces.append([])
        pieces[-1].append(point)
    return pieces


def _event_properties(event: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (_iso(v) if isinstance(v, datetime) else v)
        for k, v in event.items()
        if k not in ("lat", "lon")
    }


def to_geojson(ex: Excerpt) -> dict[str, Any]:
    """The excerpt as a GeoJSON FeatureCollection: a track per vessel and the event point."""
    features: list[dict[str, Any]] = []
    for (mmsi,), track in ex.positions.group_by("mmsi", maintain_order=True):
        coords = [[round(lo, 6), round(la, 6)] for la, lo in track.select("lat", "lon").iter_rows()]
        pieces = _split_at_antimeridian(coords)
        geometry: dict[str, Any] = (
            {"type": "LineString", "coordinates": pieces[0]}
            if len(pieces) == 1
            else {"type": "MultiLineString", "coordinates": pieces}
        )
        if len(coords) == 1:
            geometry = {"type": "Point", "coordinates": coords[0]}
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "kind": "track",
                    "mmsi": int(str(mmsi)),
                    "positions": track.height,
                    "times": [_iso(t) for t in track["ts"].to_list()],
                    "in_event_window": track["in_window"].to_list(),
                },
            }
        )
    event = ex.event
    if event.get("lat") is not None and event.get("lon") is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [event["lon"], event["lat"]]},
                "properties": {"kind": "event", **_event_properties(event)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def to_kml(ex: Excerpt) -> str:
    """The excerpt as a KML 2.2 document: one placemark per track and one for the event."""
    ev = ex.event
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2">',
        "<Document>",
        f"<name>{escape(str(ev.get('event_type')))} {escape(str(ev.get('event_id')))}</name>",
        f"<description>{escape(str(ev.get('detail') or ''))}</description>",
    ]
    for i, colour in enumerate(_COLOURS):
        rgb = colour.lstrip("#")
        kml_colour = "ff" + rgb[4:6] + rgb[2:4] + rgb[0:2]  # aabbggrr
        out.append(
            f'<Style id="v{i}"><LineStyle><color>{kml_colour}</color><width>3</width>'
            f"</LineStyle><IconStyle><color>{kml_colour}</color></IconStyle></Style>"
        )
    for i, ((mmsi,), track) in enumerate(ex.positions.group_by("mmsi", maintain_order=True)):
        times = track["ts"].to_list()
        coords = " ".join(
            f"{lo:.6f},{la:.6f},0" for la, lo in track.select("lat", "lon").iter_rows()
        )
        out += [
            "<Placemark>",
            f"<name>MMSI {mmsi}</name>",
            f"<TimeSpan><begin>{_iso(times[0])}</begin><end>{_iso(times[-1])}</end></TimeSpan>",
            f"<styleUrl>#v{i % len(_COLOURS)}</styleUrl>",
            "<LineString><tessellate>1</tessellate>",
            f"<coordinates>{coords}</coordinates>",
            "</LineString>",
            "</Placemark>",
        ]
    if ev.get("lat") is not None and ev.get("lon") is not None:
        out += [
            "<Placemark>",
            f"<name>{escape(str(ev.get('event_type')))}</name>",
            f"<description>{escape(str(ev.get('detail') or ''))}</description>",
            f"<TimeSpan><begin>{_iso(ev['start'])}</begin><end>{_iso(ev['end'])}</end></TimeSpan>",
            f"<Point><coordinates>{ev['lon']:.6f},{ev['lat']:.6f},0</coordinates></Point>",
            "</Placemark>",
        ]
    out += ["</Document>", "</kml>", ""]
    return "\n".join(out)


def _unwrap(lon: float, centre: float) -> float:
    """``lon`` moved by whole turns to lie within 180° of ``centre`` (maps across ±180°)."""
    return (lon - centre + 180.0) % 360.0 - 180.0 + centre


def render_png(ex: Excerpt, ports: Ports | None, path: Path) -> None:
    """A one-page map of the excerpt (matplotlib, Agg backend, no network)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    ev = ex.event
    pos = ex.positions
    centre = float(ev["lon"]) if ev.get("lon") is not None else float(pos["lon"][0])
    lons = [_unwrap(x, centre) for x in pos["lon"].to_list()]
    lats = pos["lat"].to_list()
    lat_lo, lat_hi = min(lats), max(lats)
    lon_lo, lon_hi = min(lons), max(lons)
    pad = max(0.02, 0.08 * max(lat_hi - lat_lo, lon_hi - lon_lo))
    fig = Figure(figsize=(11.69, 8.27), dpi=150)
    ax = fig.add_axes((0.07, 0.2, 0.5, 0.7))
    zoom = fig.add_axes((0.64, 0.2, 0.33, 0.7))
    aspect = 1.0 / max(math.cos(math.radians((lat_lo + lat_hi) / 2.0)), 0.05)
    for axes in (ax, zoom):
        axes.set_aspect(aspect, adjustable="box")
        axes.grid(True, linewidth=0.3)
        axes.ticklabel_format(useOffset=False)
    if ports is not None:
        shifted = pl.col("lon") - centre + 180.0
        near = ports.frame.filter(
            pl.col("lat").is_between(lat_lo - 2 * pad, lat_hi + 2 * pad)
        ).with_columns((shifted - 360.0 * (shifted / 360.0).floor() - 180.0 + centre).alias("lon"))
        near = near.filter(pl.col("lon").is_between(lon_lo - 2 * pad, lon_hi + 2 * pad))
        for name, lat, lon, dprk in near.select("port", "lat", "lon", "dprk").iter_rows():
            ax.plot(lon, lat, marker="^", color="#b00" if dprk else "#555", markersize=8)
            ax.annotate(name, (lon, lat), xytext=(4, 4), textcoords="offset points", fontsize=7)
    start = 0
    in_lon: list[float] = []
    in_lat: list[float] = []
    for i, ((mmsi,), track) in enumerate(pos.group_by("mmsi", maintain_order=True)):
        colour = _COLOURS[i % len(_COLOURS)]
        n = track.height
        tl = lons[start : start + n]
        ta = lats[start : start + n]
        inside = track["in_window"].to_list()
        start += n
        wl = [x for x, w in zip(tl, inside, strict=True) if w]
        wa = [y for y, w in zip(ta, inside, strict=True) if w]
        in_lon += wl
        in_lat += wa
        ax.plot(tl, ta, "-", color=colour, linewidth=1.0, alpha=0.6, label=f"MMSI {mmsi}")
        ax.plot(wl, wa, "o", color=colour, markersize=2.5)
        zoom.plot(tl, ta, "-", color=colour, linewidth=0.8, alpha=0.5)
        zoom.plot(wl, wa, "o", color=colour, markersize=3, label=f"MMSI {mmsi}")
    if ev.get("lat") is not None and ev.get("lon") is not None:
        for axes in (ax, zoom):
            axes.plot(centre, ev["lat"], marker="*", color="black", markersize=14, label="event")
    ax.set_xlim(lon_lo - pad, lon_hi + pad)
    ax.set_ylim(lat_lo - pad, lat_hi + pad)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title("track", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    if in_lon:
        z_pad = max(0.002, 0.15 * max(max(in_lat) - min(in_lat), max(in_lon) - min(in_lon)))
        zoom.set_xlim(min(in_lon) - z_pad, max(in_lon) + z_pad)
        zoom.set_ylim(min(in_lat) - z_pad, max(in_lat) + z_pad)
        span_km = 2 * z_pad * 111.2 + (max(in_lat) - min(in_lat)) * 111.2
        zoom.set_title(f"event window, about {span_km:.1f} km across", fontsize=10)
    zoom.set_xlabel("longitude (°E)")
    zoom.tick_params(labelsize=7)
    vessels = ", ".join(str(v) for v in ex.vessels)
    fig.suptitle(
        f"{ev['event_type']} {ev.get('event_id', '')}: MMSI {vessels}",
        fontsize=14,
        x=0.07,
        ha="left",
    )
    caption = [
        f"event {_iso(ev['start'])} to {_iso(ev['end'])} (dots); track shown "
        f"{_iso(ex.window[0])} to {_iso(ex.window[1])}",
        str(ev.get("detail") or ""),
        f"{pos.height} positions. Made by dprkwatch from AIS positions; "
        "positions are as broadcast and may be false.",
    ]
    fig.text(0.07, 0.05, "\n".join(c for c in caption if c), fontsize=9, va="bottom")
    with durable.replacing(path) as tmp:
        fig.savefig(tmp, format="png")


def export(ex: Excerpt, folder: Path, ports: Ports | None = None) -> list[Path]:
    """Write the GeoJSON, KML and PNG of one excerpt into ``folder``; the paths written."""
    name = str(ex.event.get("event_id") or "event")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / f"{name}.geojson", folder / f"{name}.kml", folder / f"{name}.png"]
        durable.write_bytes(paths[0], orjson.dumps(to_geojson(ex)))
        durable.write_bytes(paths[1], to_kml(ex).encode("utf-8"))
        render_png(ex, ports, paths[2])
    except OSError as exc:
        raise AisInputError(f"cannot write: {exc.strerror or exc}", source=str(folder)) from None
    return paths


def collect_evidence(
    store: PositionStore,
    event_ids: Sequence[str],
    folder: Path,
    *,
    ports: Ports | None = None,
    inputs: Sequence[Path] | None = None,
    fmt: str | None = None,
    margin: timedelta = DEFAULT_MARGIN,
) -> list[dict[str, Any]]:
    """Evidence files for events of the store's last detection run; one summary row per event.

    Positions come from the store, or from ``inputs`` (the files a
    ``detect --input`` run read), read once for all the events asked for.
    """
    last = store.load_events()
    if last is None:
        raise StoreEmpty("no detection run yet (run `dprkwatch maritime detect`)")
    events = last[0]
    wanted = events.filter(pl.col("event_id").is_in(list(event_ids)))
    unknown = sorted(set(event_ids) - set(wanted["event_id"].to_list()))
    if unknown:
        raise NotFoundError(f"no event {', '.join(unknown)} in the last detection run")
    rows = list(wanted.iter_rows(named=True))
    lo = min(r["start"] for r in rows) - margin
    hi = max(r["end"] for r in rows) + margin
    vessels = sorted({v for r in rows for v in vessels_of(r)})

    def cut(day: pl.DataFrame) -> pl.DataFrame:
        return day.filter(pl.col("mmsi").is_in(vessels) & pl.col("ts").is_between(lo, hi))

    if inputs:
        work = store.root / f".evidence-{uuid.uuid4().hex}"
        work.mkdir(parents=True)
        try:
            reader = PositionReader(inputs, staging=work, fmt=fmt)
            parts = [cut(d.positions) for d in reader.days()]
        finally:
            shutil.rmtree(work, ignore_errors=True)
    else:
        days = [d for d in store.days() if lo.date() <= d.day <= hi.date()]
        parts = [cut(store.read_day(d, columns=["mmsi", "ts", "lat", "lon", "sog"])) for d in days]
    found = [p for p in parts if p.height]
    subset = pl.concat(found) if found else None
    out: list[dict[str, Any]] = []
    for row in rows:
        ex = excerpt(row, [subset] if subset is not None else [], margin)
        geojson, kml, png = export(ex, folder, ports)
        out.append(
            {
                "event_id": row["event_id"],
                "event_type": row["event_type"],
                "positions": ex.positions.height,
                "geojson": str(geojson),
                "kml": str(kml),
                "png": str(png),
            }
        )
    return out
