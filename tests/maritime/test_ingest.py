"""Ingest: every row kept or counted with its reason and line; the store switches atomically."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dprkwatch.maritime import AisInputError, PositionStore, ingest
from dprkwatch.maritime.ingest import pipeline
from dprkwatch.maritime.readahead import ahead
from tests.maritime.factory import FIXTURES, SEA, T0, frame, sail

BAD_CSV = FIXTURES / "positions_bad.csv"


def _balanced(report: pipeline.IngestReport) -> bool:
    q = report.quality
    return q.rows_read == q.positions_kept + q.total_skipped + q.non_position_rows


def test_bad_rows_are_counted_by_reason_with_their_lines(tmp_path: Path) -> None:
    store = PositionStore(tmp_path / "m")
    report = ingest(store, [BAD_CSV])
    q = report.quality
    assert q.rows_read == 15 and q.positions_kept == 4 and _balanced(report)
    assert dict(q.skipped) == {
        "duplicate": 1,
        "position_unavailable": 1,
        "bad_coordinates": 1,
        "bad_speed": 1,
        "unparseable": 2,
        "bad_mmsi": 1,
        "missing_value": 1,
        "malformed_row": 1,
        "bad_timestamp": 1,
        "out_of_order": 1,
    }
    assert q.notes["speed_unavailable"] == 1 and q.notes["course_unavailable"] == 1
    assert q.examples["duplicate"] == [f"{BAD_CSV}:4"]
    assert q.examples["malformed_row"] == [f"{BAD_CSV}:14"]
    assert q.examples["out_of_order"] == [f"{BAD_CSV}:5"]
    assert q.examples["unparseable"] == [f"{BAD_CSV}:10", f"{BAD_CSV}:11"]
    day = store.read_day(store.days()[0])
    assert day["mmsi"].to_list() == [412000001] * 3 + [412000002]
    assert day["ts"].is_sorted() or day.filter(pl.col("mmsi") == 412000001)["ts"].is_sorted()
    assert day.filter(pl.col("sog").is_null()).height == 1  # 102.3 kn means "not available"
    ident = store.identity().sort(["mmsi", "field"])
    assert ident.select("mmsi", "field", "value").rows() == [
        (412000001, "flag", "PA"),
        (412000001, "imo", "9074729"),
        (412000001, "name", "SEA STAR"),
        (412000002, "flag", "PA"),
        (412000002, "imo", "9074729"),
        (412000002, "name", "SEA STAR"),
    ]


def test_out_of_order_rows_can_be_kept(tmp_path: Path) -> None:
    store = PositionStore(tmp_path / "m")
    report = ingest(store, [BAD_CSV], keep_out_of_order=True)
    assert report.quality.notes["out_of_order_sorted"] == 1 and report.quality.positions_kept == 5
    assert "out_of_order" not in report.quality.skipped and _balanced(report)
    times = store.read_day(store.days()[0]).filter(pl.col("mmsi") == 412000001)["ts"]
    assert times.is_sorted() and len(times) == 4


def test_files_are_checked_for_order_one_by_one(tmp_path: Path) -> None:
    rows = frame(sail(412000001, T0, SEA, (33.0, 124.0)))
    late, early = tmp_path / "late.parquet", tmp_path / "early.parquet"
    rows.tail(10).write_parquet(late)
    rows.head(10).write_parquet(early)
    report = ingest(PositionStore(tmp_path / "m"), [late, early])
    assert "out_of_order" not in report.quality.skipped and report.quality.positions_kept == 20


@pytest.mark.parametrize("overlap", [1, 4], ids=["streamed", "staged"])
def test_a_duplicate_names_the_file_and_line_it_came_from(tmp_path: Path, overlap: int) -> None:
    # The second file repeats the last ``overlap`` rows of the first: one more is out of time
    # order across the files, so they are staged; one alone keeps them streaming.
    rows = frame(sail(412000001, T0, SEA, (33.0, 124.0)))
    first, second = tmp_path / "first.parquet", tmp_path / "second.parquet"
    rows.head(10).write_parquet(first)
    rows.slice(10 - overlap, 10).write_parquet(second)
    reader = pipeline.PositionReader([first, second], staging=tmp_path / "s")
    assert reader.streaming == (overlap == 1)
    report = ingest(PositionStore(tmp_path / "m"), [first, second])
    q = report.quality
    assert q.skipped["duplicate"] == overlap and q.positions_kept == 10 - overlap + 10
    assert q.examples["duplicate"] == [f"{second}:{line}" for line in range(1, overlap + 1)]


def test_reingest_is_idempotent_and_merges_days(tmp_path: Path) -> None:
    store = PositionStore(tmp_path / "m")
    first = frame(sail(412000001, T0, SEA, (33.0, 126.0), every_min=30))  # crosses midnight
    part1, part2 = tmp_path / "a.parquet", tmp_path / "b.parquet"
    first.head(20).write_parquet(part1)
    first.write_parquet(part2)
    ingest(store, [part1])
    v1 = store.current_version()
    report = ingest(store, [part2])
    assert report.quality.skipped["duplicate"] == 20
    assert store.row_count() == first.height and store.current_version() != v1
    again = ingest(store, [part2])
    assert again.quality.positions_kept == 0 and store.row_count() == first.height
    assert [d.rows for d in store.days()] == [
        first.filter(pl.col("timestamp").dt.date() == d.day).height for d in store.days()
    ]
    assert len(list((store.root / "versions").iterdir())) == 1  # old versions removed


def test_failed_ingest_leaves_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PositionStore(tmp_path / "m")
    ingest(store, [BAD_CSV])
    before = (store.current_version(), store.row_count(), store.read_day(store.days()[0]))

    def boom(*_a: object) -> pl.DataFrame:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "_merge_identity", boom)
    more = tmp_path / "more.parquet"
    frame(sail(412000009, T0, SEA, (33.0, 124.0))).write_parquet(more)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest(store, [more])
    assert (store.current_version(), store.row_count()) == before[:2]
    assert store.read_day(store.days()[0]).equals(before[2])
    assert not list(store.root.glob(".staging-*")) and not list(store.root.glob(".build-*"))


def test_leftovers_of_a_killed_run_are_cleaned(tmp_path: Path) -> None:
    store = PositionStore(tmp_path / "m")
    ingest(store, [BAD_CSV])
    (store.root / ".staging-dead").mkdir()
    (store.root / "versions" / "half-written").mkdir()
    ingest(store, [BAD_CSV])
    assert not (store.root / ".staging-dead").exists()
    assert [p.name for p in (store.root / "versions").iterdir()] == [store.current_version()]


def test_nmea_times_and_errors(tmp_path: Path) -> None:
    store = PositionStore(tmp_path / "m")
    report = ingest(store, [FIXTURES / "nmea_mixed.txt"])
    q = report.quality
    assert q.rows_read == 8 and _balanced(report)
    assert dict(q.skipped) == {"malformed_nmea": 3, "nmea_no_timestamp": 1, "nmea_incomplete": 1}
    day = store.read_day(store.days()[0])
    # tag block, epoch prefix and ISO prefix each dated their sentence
    assert [t.isoformat() for t in day.sort("ts")["ts"].to_list()] == [
        "2026-01-05T00:00:00+00:00",
        "2026-01-05T00:01:00+00:00",
        "2026-01-05T00:02:00+00:00",
    ]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            "mmsi,lat,lon\n1,2,3\n",
            "nots.csv",
            ":header: unknown layout: no timestamp column; expected one of: MarineCadastre/NOAA "
            "AIS CSV (MMSI, BaseDateTime, LAT, LON, ...); Danish Maritime Authority AIS CSV "
            "(# Timestamp, Type of mobile, MMSI, Latitude, Longitude, ...); or columns mmsi, "
            "timestamp, lat, lon under a common name; found: mmsi, lat, lon",
        ),
        ("", "empty.csv", ": empty file"),
        (None, "missing.csv", ": file not found"),
    ],
)
def test_unusable_files_stop_with_one_line(
    tmp_path: Path, content: str | None, name: str, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    store = PositionStore(tmp_path / "m")
    with pytest.raises(AisInputError) as err:
        ingest(store, [path])
    assert str(err.value) == f"{path}{message}"
    assert store.is_empty()


def test_a_carriage_return_inside_the_header_is_one_line_too(tmp_path: Path) -> None:
    # Found by the API fuzzer through POST /maritime/detect.
    path = tmp_path / "cr.csv"
    path.write_bytes(b"mmsi\rtimestamp,lat,lon\n1,2,3\n")
    store = PositionStore(tmp_path / "m")
    with pytest.raises(AisInputError) as err:
        ingest(store, [path])
    assert str(err.value).startswith(f"{path}:line 1: unreadable header line: ")
    assert "\n" not in str(err.value)
    assert store.is_empty()


def test_unknown_format_and_no_files(tmp_path: Path) -> None:
    with pytest.raises(AisInputError, match="--format: unknown format 'xml'"):
        ingest(PositionStore(tmp_path / "m"), [BAD_CSV], fmt="xml")
    with pytest.raises(AisInputError, match="no input files"):
        ingest(PositionStore(tmp_path / "m"), [])


def test_parquet_with_numeric_epoch_times(tmp_path: Path) -> None:
    path = tmp_path / "epoch.parquet"
    pl.DataFrame(
        {
            "MMSI": [412000001, 412000001],
            "BaseDateTime": [1767571200, 1767571260],
            "LAT": [33.0, 33.01],
            "LON": [123.0, 123.0],
            "SOG": [1.0, 1.0],
        }
    ).write_parquet(path)
    store = PositionStore(tmp_path / "m")
    ingest(store, [path])
    assert (
        store.read_day(store.days()[0])["ts"].to_list()[0].isoformat()
        == "2026-01-05T00:00:00+00:00"
    )


def test_bytes_that_are_not_utf8_are_replaced_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        b"mmsi,timestamp,lat,lon,sog,name\n"
        b"412000001,2026-01-05 00:00:00,33.0,123.0,1,CAF\xe9 STAR\n"
        b"412000001,2026-01-05 00:05:00,33.0,123.0,1,CAFE STAR\n"
    )
    store = PositionStore(tmp_path / "m")
    report = ingest(store, [path])
    assert report.quality.positions_kept == 2 and report.quality.notes["bad_encoding"] == 1
    assert report.quality.examples["bad_encoding"] == [f"{path}:2"]
    assert store.identity()["value"].to_list() == ["CAF\ufffd STAR", "CAFE STAR"]


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blob.csv"
    path.write_bytes(b"mmsi,ts\x00\x01\x02\n\x00\x00")
    with pytest.raises(AisInputError, match=r"blob\.csv: binary data, not a CSV file"):
        ingest(PositionStore(tmp_path / "m"), [path])


def test_an_unclosed_quote_counts_every_line_it_swallows(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text(
        "mmsi,timestamp,lat,lon\n412000001,2026-01-05 00:00:00,33.0,123.0\n"
        '412000001,"2026-01-05 00:05:00,33.0,123.01\n412000001,2026-01-05 00:06:00,33.0,123.02\n'
        "412000001,2026-01-05 00:07:00,33.0,123.03\n",
        encoding="utf-8",
    )
    q = ingest(PositionStore(tmp_path / "m"), [path]).quality
    # the quote runs to the end of the file: three lines lost, and all three counted
    assert q.rows_read == 4 and q.skipped["malformed_row"] == 3 and q.positions_kept == 1
    assert q.examples["malformed_row"] == [f"{path}:3"]


def _typed_batch(rows: int = 400) -> pl.DataFrame:
    """A batch as a typed Parquet file gives it: integer MMSI, UTC timestamps, float columns."""
    i = pl.col("i")
    x = i.cast(pl.Float64)
    return pl.DataFrame({"i": range(rows)}).select(
        (i % 7 + 412_000_001).cast(pl.Int64).alias("mmsi"),
        (pl.lit(T0) + pl.duration(seconds=i * 30)).dt.replace_time_zone("UTC").alias("ts"),
        (30.0 + x / 1000).alias("lat"),
        (125.0 + x / 1000).alias("lon"),
        # Every 50th speed is 102.3 ("not available"), every 40th course is 360.
        pl.when(i % 50 == 3).then(102.3).otherwise(x % 20).alias("sog"),
        pl.when(i % 40 == 5).then(360.0).otherwise(x % 359).alias("cog"),
        pl.when(i % 25 == 0).then(pl.lit("IMO 9123456")).alias("imo"),
        pl.when(i % 25 == 0).then(pl.lit("sky@@ angel")).alias("name"),
        (i + 1).cast(pl.Int64).alias("_line"),
    )


@pytest.mark.parametrize("damage", ["none", "bad_lat", "bad_speed", "null_lon", "bad_mmsi"])
def test_typed_batches_are_checked_like_text_ones(damage: str) -> None:
    """The numpy path for typed columns and the general path give the same rows and counts."""
    from dprkwatch.maritime.ingest.normalise import _typed, normalise, static_reports
    from dprkwatch.maritime.ingest.quality import Quality

    batch = _typed_batch()
    damaged = {
        "none": batch,
        "bad_lat": batch.with_columns(
            pl.when(pl.col("_line") == 9).then(95.0).otherwise(pl.col("lat")).alias("lat")
        ),
        "bad_speed": batch.with_columns(
            pl.when(pl.col("_line") == 9).then(float("nan")).otherwise(pl.col("sog")).alias("sog")
        ),
        "null_lon": batch.with_columns(
            pl.when(pl.col("_line") == 9).then(None).otherwise(pl.col("lon")).alias("lon")
        ),
        "bad_mmsi": batch.with_columns(
            pl.when(pl.col("_line") == 9).then(0).otherwise(pl.col("mmsi")).alias("mmsi")
        ),
    }[damage]
    # Only the clean batch takes the numpy path; a damaged one is worked out in full.
    assert (_typed(damaged, "f.parquet", Quality(), count_rows=True) is None) == (damage != "none")
    typed_q, text_q = Quality(), Quality()
    typed = normalise(damaged, "f.parquet", typed_q)
    # MMSIs as text send the same rows down the general path.
    text = normalise(damaged.with_columns(pl.col("mmsi").cast(pl.String)), "f.parquet", text_q)
    assert typed.positions.equals(text.positions)
    typed_static = static_reports(typed.static_rows, typed_q, "f.parquet")
    assert typed_static.equals(static_reports(text.static_rows, text_q, "f.parquet"))
    assert typed_q.to_dict() == text_q.to_dict()
    assert typed_q.notes["speed_unavailable"] == 8
    assert typed_q.notes["course_unavailable"] == 10
    assert typed_static.height == 16
    kept = 400 - (damage != "none")
    assert typed.positions.height == kept
    assert typed.positions["sog"].null_count() == 8


def test_identity_on_its_own_thread_gives_the_same_intervals_and_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dprkwatch.maritime.ingest import tabular

    monkeypatch.setattr(tabular, "PARQUET_BATCH_ROWS", 100)  # many batches, each with reports
    batch = _typed_batch(2_000).drop("_line")
    bad = pl.col("mmsi") == 412_000_003  # one vessel's IMO fails its check, in every batch
    rows = batch.with_columns(
        pl.when(bad & pl.col("imo").is_not_null())
        .then(pl.lit("IMO 12"))
        .otherwise(pl.col("imo"))
        .alias("imo")
    ).rename({"ts": "timestamp"})
    path = tmp_path / "p.parquet"
    rows.write_parquet(path, row_group_size=50)
    seen = []
    for threaded in (False, True):
        reader = pipeline.PositionReader([path], staging=tmp_path / f"s{threaded}")
        days = [d.positions for d in reader.days(sort_ahead=threaded)]
        seen.append((days, reader.identity, reader.report().quality.to_dict()))
    (days_a, ident_a, q_a), (days_b, ident_b, q_b) = seen
    assert all(a.equals(b) for a, b in zip(days_a, days_b, strict=True))
    assert ident_a.equals(ident_b) and ident_a.height
    assert q_a == q_b
    bad_imos = rows.filter(pl.col("imo") == "IMO 12").height
    assert bad_imos > 5 and q_a["notes"]["bad_imo"] == bad_imos
    first_lines = (rows.with_row_index("line", offset=1).filter(pl.col("imo") == "IMO 12"))["line"]
    assert q_a["examples"]["bad_imo"] == [f"{path}:{n}" for n in first_lines.head(5)]
    assert q_a["static_reports"] == rows.filter(pl.col("imo").is_not_null()).height


def test_reading_abandoned_after_a_day_keeps_what_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dprkwatch.maritime.ingest import tabular

    monkeypatch.setattr(tabular, "PARQUET_BATCH_ROWS", 100)
    rows = frame(sail(412000001, T0, SEA, (33.0, 135.0), every_min=10)).with_columns(
        imo=pl.lit("9074729")
    )
    assert rows["timestamp"].dt.date().n_unique() > 2
    path = tmp_path / "p.parquet"
    rows.write_parquet(path, row_group_size=50)
    reader = pipeline.PositionReader([path], staging=tmp_path / "s")
    days = reader.days(sort_ahead=True)
    first = next(days)
    days.close()  # the consumer stops: the reading and identity threads end
    ident = reader.identity
    assert ident["value"].to_list() == ["9074729"]
    assert ident["first_ts"].item() == rows["timestamp"].min()
    assert ident["reports"].item() >= first.positions.height


def test_a_parquet_batch_ends_where_the_next_row_group_starts_a_later_day(tmp_path: Path) -> None:
    from dprkwatch.maritime.ingest import tabular
    from dprkwatch.maritime.ingest.quality import Quality

    rows = frame(sail(412000001, T0, SEA, (33.0, 135.0), every_min=10))
    assert rows.height < tabular.PARQUET_BATCH_ROWS  # by size alone, one batch
    path = tmp_path / "p.parquet"
    rows.write_parquet(path, row_group_size=50)
    reader = pipeline.PositionReader([path], staging=tmp_path / "s")
    batches = [b.frame for b in tabular.read_parquet(reader.sources[0], reader.layout, Quality())]
    first_days = [b["ts"].min().date() for b in batches]  # type: ignore[union-attr]
    group_days = rows["timestamp"].gather(list(range(0, rows.height, 50))).dt.date()
    assert len(batches) == group_days.n_unique() > 2
    assert pl.concat(batches)["ts"].equals(rows["timestamp"].rename("ts"))
    # The day a batch starts on is complete once it is read: no later batch has a row of it.
    for k, day in enumerate(first_days):
        assert all(b["ts"].dt.date().min() > day for b in batches[k + 1 :])


def test_identity_is_merged_on_the_sorting_thread_once_the_last_day_is_handed_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    rows = frame(sail(412000001, T0, SEA, (33.0, 135.0), every_min=10)).with_columns(
        imo=pl.lit("9074729")
    )
    path = tmp_path / "p.parquet"
    rows.write_parquet(path, row_group_size=50)
    lazy = pipeline.PositionReader([path], staging=tmp_path / "a")
    lazy_days = [d.positions for d in lazy.days()]
    merged_on: list[str] = []
    merge = pipeline.merge_intervals

    def recorded(frame: pl.DataFrame) -> pl.DataFrame:
        merged_on.append(threading.current_thread().name)
        return merge(frame)

    monkeypatch.setattr(pipeline, "merge_intervals", recorded)
    reader = pipeline.PositionReader([path], staging=tmp_path / "b")
    days = [d.positions for d in ahead(reader.days(sort_ahead=True))]
    assert len(merged_on) == 1 and merged_on[0] != threading.current_thread().name
    assert all(a.equals(b) for a, b in zip(lazy_days, days, strict=True))
    assert reader.identity.equals(lazy.identity) and reader.identity.height
    assert len(merged_on) == 1  # kept: asking for the intervals merges nothing again
