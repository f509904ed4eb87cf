"""The AIS layouts people have, recognised from their headers: MarineCadastre, DMA (zipped too),
NMEA with tag blocks, GeoParquet; ``--format`` overrides; mixed or broken input stops early."""

from __future__ import annotations

import struct
import zipfile
from datetime import timedelta
from pathlib import Path

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dprkwatch.maritime import AisInputError, PositionStore, ingest
from dprkwatch.maritime.ingest import PositionReader, detect_format
from tests.maritime.factory import FIXTURES, SEA, T0, frame, sail

MARINECADASTRE = FIXTURES / "marinecadastre.csv"
DMA = FIXTURES / "dma.csv"
TAGBLOCK = FIXTURES / "tagblock.nmea"


def _identity(store: PositionStore) -> set[tuple[int, str, str]]:
    return set(store.identity().select("mmsi", "field", "value").iter_rows())


def _balanced(q: object) -> bool:
    return bool(
        q.rows_read == q.positions_kept + q.total_skipped + q.non_position_rows  # type: ignore[attr-defined]
    )


def test_marinecadastre_is_recognised_and_read(tmp_path: Path) -> None:
    assert detect_format(MARINECADASTRE) == "marinecadastre"
    store = PositionStore(tmp_path / "m")
    report = ingest(store, [MARINECADASTRE])
    q = report.quality
    assert report.layout == "marinecadastre"
    assert q.rows_read == 9 and q.positions_kept == 8 and _balanced(q)
    assert dict(q.skipped) == {"position_unavailable": 1}
    assert q.notes["speed_unavailable"] == 1 and q.notes["course_unavailable"] == 1
    assert q.examples["position_unavailable"] == [f"{MARINECADASTRE}:6"]
    day = store.read_day(store.days()[0])
    assert day["mmsi"].unique().sort().to_list() == [367100001, 367100002]
    assert day["ts"].min().isoformat() == "2023-01-01T00:00:00+00:00"  # type: ignore[union-attr]
    assert {
        (367100001, "imo", "9074729"),  # written IMO9074729
        (367100001, "name", "GULF TRADER"),
        (367100001, "callsign", "WDC1234"),
        (367100002, "name", "DELTA ROSE"),
    } <= _identity(store)


def _dma_checks(store: PositionStore, report: object, name: str) -> None:
    q = report.quality  # type: ignore[attr-defined]
    assert report.layout == "dma"  # type: ignore[attr-defined]
    # eight rows: a base station and an aid to navigation are not vessels; one position is 91/181
    assert q.rows_read == 8 and q.positions_kept == 5 and q.non_position_rows == 2 and _balanced(q)
    assert q.notes["not_a_vessel"] == 2 and q.examples["not_a_vessel"] == [f"{name}:3", f"{name}:5"]
    assert dict(q.skipped) == {"position_unavailable": 1}
    assert "bad_imo" not in q.notes  # the DMA writes "Unknown", which means no IMO
    assert _identity(store) >= {
        (219000001, "imo", "9074729"),
        (219000001, "callsign", "OXAB2"),
        (219000001, "name", "NORDIC STAR"),
        (219000002, "name", "SEA BREEZE"),
    }
    assert not any(v == "Unknown" for _, _, v in _identity(store))
    ts = store.read_day(store.days()[0])["ts"].sort()
    assert ts[0].isoformat() == "2024-01-01T00:00:00+00:00"  # 01/01/2024, day first


def test_dma_csv_plain_and_zipped(tmp_path: Path) -> None:
    assert detect_format(DMA) == "dma"
    store = PositionStore(tmp_path / "plain")
    _dma_checks(store, ingest(store, [DMA]), str(DMA))
    archive = tmp_path / "aisdk-2024-01-01.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(DMA, "aisdk-2024-01-01.csv")
    assert detect_format(archive) == "dma"
    zipped = PositionStore(tmp_path / "zipped")
    _dma_checks(zipped, ingest(zipped, [archive]), f"{archive}!aisdk-2024-01-01.csv")
    assert zipped.read_day(zipped.days()[0]).equals(store.read_day(store.days()[0]))


def test_a_truncated_zip_is_one_line_and_the_store_is_untouched(tmp_path: Path) -> None:
    store = PositionStore(tmp_path / "m")
    ingest(store, [MARINECADASTRE])
    version = store.current_version()
    archive = tmp_path / "aisdk.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(DMA, "aisdk.csv")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(AisInputError) as err:
        ingest(store, [cut])
    message = str(err.value)
    assert message.startswith(f"{cut}: not a complete zip archive") and "truncated" in message
    assert "\n" not in message
    assert store.current_version() == version and store.row_count() == 8
    assert not list(store.root.glob(".staging-*")) and not list(store.root.glob(".build-*"))


def test_nmea_with_tag_blocks(tmp_path: Path) -> None:
    assert detect_format(TAGBLOCK) == "nmea"
    store = PositionStore(tmp_path / "m")
    q = ingest(store, [TAGBLOCK]).quality
    # 8 lines: 3 + 1 class B positions, one two-part static message, one bad checksum
    assert q.rows_read == 6 and q.positions_kept == 4 and _balanced(q)
    assert dict(q.skipped) == {"malformed_nmea": 1}
    day = store.read_day(store.days()[0]).sort("ts")
    assert [t.isoformat() for t in day["ts"].to_list()] == [
        "2024-01-01T00:00:00+00:00",  # c:1704067200
        "2024-01-01T00:01:00+00:00",
        "2024-01-01T00:02:00+00:00",
        "2024-01-01T00:02:05+00:00",  # c: in milliseconds
    ]
    ident = store.identity()
    static = ident.filter(pl.col("mmsi") == 219000001).sort("field")
    assert static.select("field", "value").rows() == [
        ("callsign", "OXAB2"),
        ("imo", "9074729"),
        ("name", "NORDIC STAR"),
    ]
    # the two-part message is dated by the tag block on its first part
    assert static["first_ts"][0].isoformat() == "2024-01-01T00:01:30+00:00"


def _wkb(lon: float, lat: float, *, big: bool = False, srid: int | None = None) -> bytes:
    order = ">" if big else "<"
    kind = 1 | (0x20000000 if srid else 0)
    head = struct.pack(f"{order}BI", 0 if big else 1, kind)
    return (
        head
        + (struct.pack(f"{order}I", srid) if srid else b"")
        + struct.pack(f"{order}dd", lon, lat)
    )


def _geoparquet(
    path: Path, geometry: list[object], *, crs: object = None, encoding: str = "WKB"
) -> None:
    n = len(geometry)
    geom_type = (
        pa.struct([("x", pa.float64()), ("y", pa.float64())])
        if encoding == "point"
        else pa.binary()
    )
    table = pa.table(
        {
            "mmsi": pa.array([412000001] * n, pa.int32()),
            "timestamp": pa.array(
                [T0.replace(minute=i) for i in range(n)], pa.timestamp("us", "UTC")
            ),
            "sog": pa.array([3.0] * n),
            "geometry": pa.array(geometry, geom_type),
        }
    )
    column: dict[str, object] = {"encoding": encoding, "geometry_types": ["Point"]}
    if crs is not None:
        column["crs"] = crs
    meta = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": column}}
    table = table.replace_schema_metadata({b"geo": orjson.dumps(meta)})
    pq.write_table(table, path)


def test_geoparquet_points_in_wkb_or_geoarrow(tmp_path: Path) -> None:
    wkb = tmp_path / "wkb.parquet"
    line = struct.pack("<BII", 1, 2, 2) + struct.pack("<dddd", 1, 2, 3, 4)  # a LineString
    _geoparquet(
        wkb,
        [
            _wkb(123.5, 33.25),
            _wkb(123.6, 33.3, big=True),
            _wkb(123.7, 33.35, srid=4326),
            line,
            None,
        ],
        crs={"id": {"authority": "EPSG", "code": 4326}},
    )
    assert detect_format(wkb) == "geoparquet"
    store = PositionStore(tmp_path / "m")
    q = ingest(store, [wkb]).quality
    assert q.positions_kept == 3 and dict(q.skipped) == {"bad_coordinates": 1, "missing_value": 1}
    day = store.read_day(store.days()[0]).sort("ts")
    assert day.select("lon", "lat").rows() == [(123.5, 33.25), (123.6, 33.3), (123.7, 33.35)]
    native = tmp_path / "point.parquet"
    _geoparquet(native, [{"x": 123.5, "y": 33.25}, {"x": 123.6, "y": 33.3}], encoding="point")
    store2 = PositionStore(tmp_path / "m2")
    ingest(store2, [native])
    assert store2.read_day(store2.days()[0]).sort("ts").select("lon", "lat").rows()[0] == (
        123.5,
        33.25,
    )


def test_geoparquet_in_a_projected_crs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mercator.parquet"
    _geoparquet(
        path, [_wkb(13_000_000.0, 3_900_000.0)], crs={"id": {"authority": "EPSG", "code": 3857}}
    )
    with pytest.raises(
        AisInputError, match=r"mercator\.parquet:geometry: geometry is not in longitude/latitude"
    ):
        ingest(PositionStore(tmp_path / "m"), [path])


def test_format_overrides_recognition(tmp_path: Path) -> None:
    # MarineCadastre's column names are also common spellings: the generic reader takes them
    store = PositionStore(tmp_path / "m")
    assert ingest(store, [MARINECADASTRE], fmt="csv").layout == "csv"
    assert store.row_count() == 8
    with pytest.raises(AisInputError) as err:
        ingest(PositionStore(tmp_path / "x"), [MARINECADASTRE], fmt="dma")
    message = str(err.value)
    assert message.startswith(
        f"{MARINECADASTRE}:header: unknown layout: no timestamp, lat, lon column"
    )
    assert "expected Danish Maritime Authority AIS CSV (# Timestamp, Type of mobile" in message
    assert "found: MMSI, BaseDateTime, LAT, LON" in message


def test_mixed_formats_stop_before_any_work(tmp_path: Path) -> None:
    store = PositionStore(tmp_path / "m")
    with pytest.raises(AisInputError) as err:
        ingest(store, [MARINECADASTRE, DMA])
    assert str(err.value) == (
        "input: mixed formats in one run (marinecadastre.csv is marinecadastre; dma.csv is dma); "
        "ingest each format in a run of its own, or force one with --format"
    )
    assert store.is_empty()


def test_streamed_staged_and_csv_reads_give_the_same_store(tmp_path: Path) -> None:
    rows = frame(
        sail(412000001, T0 + timedelta(hours=14), SEA, (33.0, 126.0), every_min=7)  # to tomorrow
        + sail(412000002, T0 + timedelta(hours=14), (34.0, 123.0), (34.0, 126.0), every_min=11)
    ).sort("timestamp", maintain_order=True)
    rows = pl.concat([rows, rows.slice(40, 3)]).sort("timestamp", maintain_order=True)  # duplicates
    ordered = tmp_path / "ordered.parquet"
    rows.write_parquet(ordered, row_group_size=50)  # many row groups: days complete one by one
    shuffled = tmp_path / "shuffled.parquet"
    rows.sample(fraction=1.0, shuffle=True, seed=3).write_parquet(shuffled, row_group_size=50)
    as_csv = tmp_path / "rows.csv"
    rows.write_csv(as_csv)
    modes = [
        PositionReader([p], staging=tmp_path / "s").streaming for p in (ordered, shuffled, as_csv)
    ]
    assert modes == [True, False, False]
    stores = {}
    for name, path, keep in (("a", ordered, False), ("b", shuffled, True), ("c", as_csv, False)):
        store = PositionStore(tmp_path / name)
        q = ingest(store, [path], keep_out_of_order=keep).quality
        assert q.skipped["duplicate"] == 3 and q.positions_kept == rows.height - 3
        stores[name] = store
    a, b, c = (stores[k] for k in "abc")
    assert len(a.days()) == 2
    for da, db, dc in zip(a.days(), b.days(), c.days(), strict=True):
        assert a.read_day(da).equals(b.read_day(db)) and a.read_day(da).equals(c.read_day(dc))
    assert a.identity().equals(c.identity())


@pytest.mark.parametrize("container", ["csv", "parquet"])
def test_a_read_for_the_detectors_leaves_the_course_unread(tmp_path: Path, container: str) -> None:
    """``detect --input`` keeps no course, so it does not read one: the same positions
    and identities as a full read, and no course notes (it never saw the course)."""
    from dprkwatch.maritime.engines.embedded import DAY_COLUMNS

    path = MARINECADASTRE
    if container == "parquet":
        path = tmp_path / "mc.parquet"
        pl.read_csv(MARINECADASTRE, infer_schema_length=0).write_parquet(path)
    full = PositionReader([path], staging=tmp_path / "a")
    lean = PositionReader([path], staging=tmp_path / "b", columns=DAY_COLUMNS)
    full_days = [d.positions for d in full.days()]
    lean_days = [d.positions for d in lean.days()]
    assert len(full_days) == len(lean_days) == 1
    assert full_days[0].select(DAY_COLUMNS).equals(lean_days[0])
    assert sum(d.height for d in lean_days) == 8
    assert full.identity.equals(lean.identity)
    assert full.quality.notes.pop("course_unavailable") == 1
    full.quality.examples.pop("course_unavailable")
    assert "course_unavailable" not in lean.quality.notes
    assert full.quality.to_dict() == lean.quality.to_dict()
