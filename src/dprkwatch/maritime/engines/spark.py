"""The Spark engine: the same rules on Apache Spark, for data that outgrows one machine.

Where the embedded engine walks day partitions and stitches runs across
midnight, Spark sees the whole store at once: a track's previous position
is a ``lag`` over a window partitioned by MMSI and ordered by time, and a
run is a running sum of "run starts" over the same window. The rules in
:mod:`dprkwatch.maritime.engines.base` are implemented once more here, in
the DataFrame API; ``tests/maritime/test_engine_parity.py`` runs both engines
on the same synthetic input and requires identical event tables.

Nearest ports use the same pruned cell table as the embedded engine
(:func:`dprkwatch.maritime.ports.port_cells`), written to a temporary
Parquet file and joined on the cell key; the nearest candidate is the
minimum of ``(distance, port_idx)``.

Spark runs in local mode by default (``local[2]``), bound to 127.0.0.1, with
its web UI off. Starting the JVM takes several seconds, so one engine keeps
its session until :meth:`SparkEngine.close`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import polars as pl

from dprkwatch.maritime import schema
from dprkwatch.maritime.clones import CANDIDATES, shared_mmsi_events
from dprkwatch.maritime.engines.base import (
    RAW_EVENTS,
    Detection,
    Progress,
    empty_raw,
    encounter_cell_deg,
)
from dprkwatch.maritime.exceptions import EngineError
from dprkwatch.maritime.geo import EARTH_RADIUS_KM, KM_PER_NM
from dprkwatch.maritime.ports import Ports, port_cells
from dprkwatch.maritime.rules import Rules
from dprkwatch.maritime.store import PositionStore
from dprkwatch.spark import session as spark_session

US = 1_000_000


def _spark_type(dtype: pl.DataType) -> str:
    if dtype == pl.String:
        return "string"
    if dtype == pl.Int32:
        return "int"
    if dtype == pl.Int64:
        return "bigint"
    if dtype == pl.Int8:
        return "tinyint"
    if dtype == pl.Float64:
        return "double"
    if dtype == pl.Boolean:
        return "boolean"
    raise TypeError(f"no Spark type for {dtype}")


def start_session(
    master: str = "local[2]", driver_memory: str = "2g", shuffle_partitions: int = 8
) -> Any:
    """A local Spark session bound to loopback with the UI off (raises EngineError if Spark cannot start)."""
    return spark_session.start_session(
        "dprkwatch-maritime",
        EngineError,
        master=master,
        driver_memory=driver_memory,
        shuffle_partitions=shuffle_partitions,
    )


class SparkEngine:
    """The rules on Spark DataFrames. Same input, same events as the embedded engine."""

    name: ClassVar[str] = "spark"

    def __init__(
        self,
        master: str = "local[2]",
        driver_memory: str = "2g",
        shuffle_partitions: int = 8,
        session: Any = None,
    ) -> None:
        self.master = master
        self.driver_memory = driver_memory
        self.shuffle_partitions = shuffle_partitions
        self._session = session
        self._own_session = session is None

    @property
    def session(self) -> Any:
        if self._session is None:
            # getOrCreate hands back a session someone else started: not ours to stop.
            self._own_session = not spark_session.spark_running()
            self._session = start_session(self.master, self.driver_memory, self.shuffle_partitions)
        return self._session

    def close(self) -> None:
        """Stop a session this engine started, and the JVM behind it.

        ``SparkSession.stop`` leaves the py4j gateway (a JVM and a Python
        thread watching it) running; shutting it down as well frees the
        JVM's memory and leaves this process single-threaded again, which
        the forking parts of dprkwatch (list import, index build) need.
        A later session starts a fresh gateway.
        """
        if self._session is not None and self._own_session:
            spark_session.stop_session(self._session)
        self._session = None

    def detect(
        self, store: PositionStore, ports: Ports, rules: Rules, progress: Progress | None = None
    ) -> Detection:
        from pyspark.sql import functions as F

        days = store.days()
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        spark = self.session
        timings["session"] = time.perf_counter() - t0
        work = Path(tempfile.mkdtemp(prefix="dprkwatch-spark-"))
        try:
            t1 = time.perf_counter()
            parts = [empty_raw()]
            if days:
                pos = spark.read.parquet(*[str(d.path) for d in days]).select(
                    "mmsi", "ts", "lat", "lon", "sog"
                )
                pos = pos.withColumn("t", F.unix_micros("ts"))
                near = _cells(spark, ports, rules.port_query_km, work / "near.parquet")
                far = _cells(spark, ports, rules.gap_port_km, work / "far.parquet")
                tracks = _tracks(pos, near, rules).persist()
                tt = time.perf_counter()
                tracks.count()  # build the tracks once (windows, nearest ports) before the detectors
                timings["tracks"] = time.perf_counter() - tt
                detectors: list[tuple[str, Callable[[], Any]]] = [
                    ("spoofing", lambda: _spoofing(tracks, rules)),
                    ("identity_shared", lambda: _shared_mmsi(tracks, rules)),
                    ("dark_gap", lambda: _dark_gaps(tracks, far, rules)),
                    ("loitering", lambda: _loitering(tracks, rules)),
                    ("port_call", lambda: _port_calls(tracks, rules)),
                    ("encounter", lambda: _encounters(tracks, rules)),
                ]
                for i, (name, run) in enumerate(detectors):
                    ts = time.perf_counter()
                    found = run()
                    parts.append(found if isinstance(found, pl.DataFrame) else _collect(found))
                    timings[name] = time.perf_counter() - ts
                    if progress is not None:
                        progress("detectors", i + 1, len(detectors) + 1)
                tracks.unpersist()
            if progress is not None:
                progress("detectors", 7, 7)
            timings["total"] = time.perf_counter() - t1
        finally:
            shutil.rmtree(work, ignore_errors=True)
        raw = pl.concat([schema.conform(p, RAW_EVENTS) for p in parts])
        return Detection(
            raw_events=raw,
            engine=self.name,
            positions=store.row_count(),
            days=len(days),
            seconds=timings,
        )


# --------------------------------------------------------------------------


def _collect(frame: Any) -> pl.DataFrame:
    """A Spark result as a Polars frame with the raw-event columns."""
    from pyspark.sql import functions as F

    cols = [
        (F.col(name) if name in frame.columns else F.lit(None)).cast(_spark_type(dtype)).alias(name)
        for name, dtype in RAW_EVENTS.items()
    ]
    selected = frame.select(*cols)
    if hasattr(selected, "toArrow"):  # Spark 4
        got = pl.from_arrow(selected.toArrow())
        assert isinstance(got, pl.DataFrame)
    else:  # Spark 3.5: rows through the driver (events are few)
        got = pl.DataFrame([r.asDict() for r in selected.collect()], schema=RAW_EVENTS)
    return schema.conform(got, RAW_EVENTS)


def _haversine(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    from pyspark.sql import functions as F

    dphi = F.radians(lat2 - lat1)
    dlmb = F.radians(lon2 - lon1)
    a = F.pow(F.sin(dphi / 2.0), 2) + F.cos(F.radians(lat1)) * F.cos(F.radians(lat2)) * F.pow(
        F.sin(dlmb / 2.0), 2
    )
    return F.asin(F.sqrt(F.least(a, F.lit(1.0)))) * (2.0 * EARTH_RADIUS_KM)


def _wrap_lon(lon: Any) -> Any:
    """Longitude folded into [-180, 180): the formula of ``exprs.wrap_lon``."""
    from pyspark.sql import functions as F

    return lon - 360.0 * F.floor((lon + 180.0) / 360.0)


def _lon360(lon: Any) -> Any:
    from pyspark.sql import functions as F

    return lon - 360.0 * F.floor(lon / 360.0)


def _mean_lon() -> Any:
    """``exprs.mean_lon``: the mean taken in [0, 360) when the points straddle ±180."""
    from pyspark.sql import functions as F

    n = F.col("n").cast("double")
    return F.when(
        (F.col("max_lon") - F.col("min_lon")) > 180.0, _wrap_lon(F.col("sum_lon360") / n)
    ).otherwise(F.col("sum_lon") / n)


def _cells(spark: Any, ports: Ports, radius_km: float, path: Path) -> tuple[Any, float, int, float]:
    grid, cells = port_cells(ports, radius_km)
    cells.write_parquet(path)
    return spark.read.parquet(str(path)), grid.deg, grid.ncx, radius_km


def _nearest(
    points: Any, key: list[str], lat: str, lon: str, cells: tuple[Any, float, int, float]
) -> Any:
    """``key`` columns plus ``d_port`` (inf when no port within the radius) and ``near_port`` (-1)."""
    from pyspark.sql import functions as F

    table, deg, ncx, radius = cells
    keyed = points.select(
        *key,
        F.col(lat).alias("_lat"),
        F.col(lon).alias("_lon"),
        F.floor((F.col(lat) + 90.0) / deg).cast("int").alias("cy"),
        F.pmod(F.floor((F.col(lon) + 180.0) / deg), F.lit(ncx)).cast("int").alias("cx"),
    )
    cand = (
        keyed.join(F.broadcast(table), on=["cy", "cx"], how="inner")
        .withColumn("d", _haversine(F.col("_lat"), F.col("_lon"), F.col("plat"), F.col("plon")))
        .where(F.col("d") <= radius)
        .groupBy(*key)
        .agg(F.min(F.struct("d", "port_idx")).alias("best"))
        .select(*key, F.col("best.d").alias("d_port"), F.col("best.port_idx").alias("near_port"))
    )
    return cand


def _tracks(pos: Any, near: tuple[Any, float, int, float], r: Rules) -> Any:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    w = Window.partitionBy("mmsi").orderBy("t")
    df = pos.select(
        "mmsi",
        "t",
        "lat",
        "lon",
        "sog",
        F.lag("t").over(w).alias("p_t"),
        F.lag("lat").over(w).alias("p_lat"),
        F.lag("lon").over(w).alias("p_lon"),
    )
    nearest = _nearest(df, ["mmsi", "t"], "lat", "lon", near)
    df = df.join(nearest, on=["mmsi", "t"], how="left").select(
        "*",
        ((F.col("t") - F.col("p_t")).cast("double") / US).alias("dt_s"),
        _haversine(F.col("p_lat"), F.col("p_lon"), F.col("lat"), F.col("lon")).alias("dist_km"),
    )
    df = df.withColumn("d_port", F.coalesce(F.col("d_port"), F.lit(float("inf"))))
    df = df.withColumn("near_port", F.coalesce(F.col("near_port"), F.lit(-1)))
    has_prev = F.col("p_t").isNotNull()
    jump = has_prev & (
        F.col("dist_km") > F.lit(r.max_speed_kmh) * F.col("dt_s") / 3600.0 + r.position_noise_km
    )
    df = df.select(
        "*",
        F.coalesce(jump, F.lit(False)).alias("jump"),
        F.coalesce(F.col("sog") < r.slow_knots, F.lit(False)).alias("slow"),
    )
    df = df.select(
        "*",
        F.coalesce(~has_prev | F.col("jump") | (F.col("dt_s") > r.max_gap_s), F.lit(True)).alias(
            "newseg"
        ),
        (F.col("slow") & (F.col("d_port") > r.loiter_port_km)).alias("loiter_q"),
        F.when(F.col("d_port") <= r.port_exit_km, F.col("near_port"))
        .otherwise(F.lit(-1))
        .cast("int")
        .alias("port_id"),
    )
    df = df.select(
        "*",
        F.coalesce(F.lag("loiter_q").over(w), F.lit(False)).alias("p_loiter"),
        F.coalesce(F.lag("port_id").over(w), F.lit(-1)).alias("p_port"),
    )
    df = df.select(
        "*",
        (F.col("loiter_q") & F.col("p_loiter") & ~F.col("newseg")).alias("loiter_cont"),
        (F.col("port_id") >= 0).alias("port_q"),
    ).withColumn(
        "port_cont", F.col("port_q") & (F.col("p_port") == F.col("port_id")) & ~F.col("newseg")
    )
    df = df.withColumn("port_exit", ~F.col("newseg") & (F.col("p_port") >= 0) & ~F.col("port_cont"))
    running = w.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    return df.select(
        "*",
        F.sum((F.col("loiter_q") & ~F.col("loiter_cont")).cast("int"))
        .over(running)
        .alias("loiter_run"),
        F.sum((F.col("port_q") & ~F.col("port_cont")).cast("int")).over(running).alias("port_run"),
    )


def _spoofing(df: Any, r: Rules) -> Any:
    from pyspark.sql import functions as F

    speed = F.col("dist_km") / (F.col("dt_s") / 3600.0) / KM_PER_NM
    return (
        df.where(F.col("jump"))
        .groupBy("mmsi", F.to_date(F.timestamp_micros("t")).alias("day"))
        .agg(
            F.count(F.lit(1)).alias("points"),
            F.min("t").alias("start_us"),
            F.max("t").alias("end_us"),
            F.min_by("lat", "t").alias("lat"),
            F.min_by("lon", "t").alias("lon"),
            F.max("dist_km").alias("distance_km"),
            F.max(speed).alias("max_speed_kn"),
        )
        .where(F.col("points") >= r.spoofing_min_jumps)
        .withColumn("event_type", F.lit("spoofing"))
    )


def _shared_mmsi(df: Any, r: Rules) -> pl.DataFrame:
    """Positions of MMSI-days with spoofing-level jumps, split into transmitters on the driver."""
    from pyspark.sql import functions as F

    day = F.floor(F.col("t") / F.lit(86_400 * US)).alias("_day")
    suspects = (
        df.where(F.col("jump"))
        .groupBy("mmsi", day)
        .agg(F.count(F.lit(1)).alias("n"))
        .where(F.col("n") >= r.spoofing_min_jumps)
        .select("mmsi", "_day")
    )
    rows = df.select("mmsi", "t", "lat", "lon", day).join(suspects, on=["mmsi", "_day"], how="semi")
    selected = rows.select(*CANDIDATES)
    if hasattr(selected, "toArrow"):  # Spark 4
        got = pl.from_arrow(selected.toArrow())
        assert isinstance(got, pl.DataFrame)
    else:
        got = pl.DataFrame([row.asDict() for row in selected.collect()], schema=CANDIDATES)
    return shared_mmsi_events(got, r)


def _dark_gaps(df: Any, far: tuple[Any, float, int, float], r: Rules) -> Any:
    from pyspark.sql import functions as F

    gaps = df.where(
        F.col("p_t").isNotNull() & (F.col("dt_s") >= r.gap_min_hours * 3600.0) & ~F.col("jump")
    ).select("mmsi", "p_t", "t", "p_lat", "p_lon", "lat", "lon", "dist_km")
    d_start = _nearest(gaps, ["mmsi", "t"], "p_lat", "p_lon", far).select(
        "mmsi", "t", F.col("d_port").alias("d0")
    )
    d_end = _nearest(gaps, ["mmsi", "t"], "lat", "lon", far).select(
        "mmsi", "t", F.col("d_port").alias("d1")
    )
    joined = gaps.join(d_start, on=["mmsi", "t"], how="left").join(
        d_end, on=["mmsi", "t"], how="left"
    )
    return joined.where(F.col("d0").isNull() & F.col("d1").isNull()).select(
        F.lit("dark_gap").alias("event_type"),
        "mmsi",
        F.col("p_t").alias("start_us"),
        F.col("t").alias("end_us"),
        F.col("p_lat").alias("lat"),
        F.col("p_lon").alias("lon"),
        F.col("dist_km").alias("distance_km"),
        F.lit(2).cast("bigint").alias("points"),
        F.col("lat").alias("end_lat"),
        F.col("lon").alias("end_lon"),
    )


def _loitering(df: Any, r: Rules) -> Any:
    from pyspark.sql import functions as F

    runs = (
        df.where(F.col("loiter_q"))
        .groupBy("mmsi", "loiter_run")
        .agg(
            F.min("t").alias("t_first"),
            F.max("t").alias("t_last"),
            F.count(F.lit(1)).alias("n"),
            F.sum("lat").alias("sum_lat"),
            F.sum("lon").alias("sum_lon"),
            F.sum(_lon360(F.col("lon"))).alias("sum_lon360"),
            F.min("lon").alias("min_lon"),
            F.max("lon").alias("max_lon"),
            F.sum(F.col("sog").cast("double")).alias("sum_sog"),
            F.min("d_port").alias("min_d"),
        )
    )
    min_us = round(r.loiter_min_hours * 3600 * US)
    return runs.where((F.col("t_last") - F.col("t_first")) >= min_us).select(
        F.lit("loitering").alias("event_type"),
        "mmsi",
        F.col("t_first").alias("start_us"),
        F.col("t_last").alias("end_us"),
        (F.col("sum_lat") / F.col("n")).alias("lat"),
        _mean_lon().alias("lon"),
        F.when(F.col("min_d") == float("inf"), F.lit(None))
        .otherwise(F.col("min_d"))
        .alias("distance_km"),
        F.col("n").alias("points"),
        (F.col("sum_sog") / F.col("n")).alias("mean_sog"),
    )


def _port_calls(df: Any, r: Rules) -> Any:
    from pyspark.sql import functions as F

    runs = (
        df.where(F.col("port_q"))
        .groupBy("mmsi", "port_run")
        .agg(
            F.min_by("port_id", "t").alias("port_id"),
            F.min("t").alias("t_first"),
            F.max("t").alias("t_last"),
            F.min(F.when(F.col("d_port") <= r.port_entry_km, F.col("t"))).alias("t_entry"),
            F.count(F.lit(1)).alias("n"),
            F.max(F.col("slow").cast("int")).alias("stopped"),
            F.min("d_port").alias("min_d"),
            (~F.min_by("newseg", "t")).alias("entered"),
        )
    )
    exits = (
        df.where(F.col("port_exit"))
        .select("mmsi", F.col("p_t").alias("t_last"), F.lit(True).alias("exited"))
        .distinct()
    )
    calls = runs.where(
        (F.col("stopped") == 1)
        & F.col("t_entry").isNotNull()
        & ((F.col("t_last") - F.col("t_entry")) >= r.port_min_us)
    ).join(exits, on=["mmsi", "t_last"], how="left")
    confidence = (
        F.lit(2)
        + F.col("entered").cast("int")
        + F.coalesce(F.col("exited"), F.lit(False)).cast("int")
    )
    return calls.select(
        F.lit("port_call").alias("event_type"),
        "mmsi",
        F.col("t_entry").alias("start_us"),
        F.col("t_last").alias("end_us"),
        F.col("port_id").alias("port_idx"),
        F.col("min_d").alias("distance_km"),
        F.col("n").alias("points"),
        confidence.cast("tinyint").alias("confidence"),
    )


def _encounters(df: Any, r: Rules) -> Any:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    cell = encounter_cell_deg(r)
    bucket_us = r.bucket_s * US

    def width(band: Any) -> Any:
        lo = F.abs(band.cast("double") * cell - 90.0)
        hi = F.abs((band.cast("double") + 1.0) * cell - 90.0)
        edge = F.least(F.greatest(lo, hi), F.lit(89.9))
        return F.lit(cell) / F.cos(F.radians(edge))

    def cells(band: Any) -> Any:
        return F.greatest(F.floor(F.lit(360.0) / width(band)).cast("int"), F.lit(1))

    cand = df.where(F.col("slow") & (F.col("d_port") > r.encounter_port_km)).select(
        "mmsi",
        "t",
        "lat",
        "lon",
        F.floor(F.col("t") / F.lit(bucket_us)).cast("bigint").alias("bucket"),
    )
    first = Window.partitionBy("mmsi", "bucket").orderBy("t")
    reps = (
        cand.withColumn("_rn", F.row_number().over(first))
        .where(F.col("_rn") == 1)
        .drop("_rn")
        .withColumn("band", F.floor((F.col("lat") + 90.0) / cell).cast("int"))
    )
    home = reps.select(
        F.col("mmsi").alias("b_mmsi"),
        F.col("t").alias("b_t"),
        F.col("lat").alias("b_lat"),
        F.col("lon").alias("b_lon"),
        "bucket",
        "band",
        F.pmod(
            F.floor((F.col("lon") + 180.0) / width(F.col("band"))).cast("int"),
            cells(F.col("band")),
        ).alias("cx"),
    )
    probe_band = F.col("band") + F.col("dy")
    n_cells = cells(probe_band)
    probes = (
        reps.withColumn("dy", F.explode(F.array(F.lit(-1), F.lit(0), F.lit(1))))
        .withColumn("dx", F.explode(F.array(F.lit(-1), F.lit(0), F.lit(1))))
        .where((F.col("dx") == 0) | (n_cells >= 3) | ((n_cells == 2) & (F.col("dx") == 1)))
        .select(
            F.col("mmsi").alias("a_mmsi"),
            F.col("t").alias("a_t"),
            F.col("lat").alias("a_lat"),
            F.col("lon").alias("a_lon"),
            "bucket",
            probe_band.cast("int").alias("band"),
            F.pmod(
                F.floor((F.col("lon") + 180.0) / width(probe_band)).cast("int") + F.col("dx"),
                n_cells,
            )
            .cast("int")
            .alias("cx"),
        )
    )
    close = (
        probes.join(home, on=["bucket", "band", "cx"], how="inner")
        .where(F.col("a_mmsi") < F.col("b_mmsi"))
        .withColumn("d", _haversine(F.col("a_lat"), F.col("a_lon"), F.col("b_lat"), F.col("b_lon")))
        .where(F.col("d") <= r.encounter_max_km)
        .select(
            F.col("a_mmsi").alias("a"),
            F.col("b_mmsi").alias("b"),
            "bucket",
            F.least("a_t", "b_t").alias("t_lo"),
            F.greatest("a_t", "b_t").alias("t_hi"),
            ((F.col("a_lat") + F.col("b_lat")) / 2.0).alias("mid_lat"),
            _wrap_lon(F.col("a_lon") + _wrap_lon(F.col("b_lon") - F.col("a_lon")) / 2.0).alias(
                "mid_lon"
            ),
            "d",
        )
    )
    pair = Window.partitionBy("a", "b").orderBy("bucket")
    running = pair.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    step = F.col("bucket") - F.lag("bucket").over(pair)
    raw = (
        close.withColumn(
            "_brk", F.coalesce(step > r.encounter_max_gap_buckets, F.lit(True)).cast("int")
        )
        .withColumn("_run", F.sum("_brk").over(running))
        .groupBy("a", "b", "_run")
        .agg(
            F.min("t_lo").alias("start"),
            F.max("t_hi").alias("end"),
            F.count(F.lit(1)).alias("n"),
            F.sum("mid_lat").alias("sum_lat"),
            F.sum("mid_lon").alias("sum_lon"),
            F.sum(_lon360(F.col("mid_lon"))).alias("sum_lon360"),
            F.min("mid_lon").alias("min_lon"),
            F.max("mid_lon").alias("max_lon"),
            F.sum("d").alias("sum_d"),
        )
    )
    min_us = round(r.encounter_min_hours * 3600 * US)
    merge_us = round(r.encounter_merge_hours * 3600 * US)
    kept = raw.where((F.col("end") - F.col("start")) >= min_us)
    by_start = Window.partitionBy("a", "b").orderBy("start")
    merged = (
        kept.withColumn(
            "_brk",
            F.coalesce(
                (F.col("start") - F.lag("end").over(by_start)) >= merge_us, F.lit(True)
            ).cast("int"),
        )
        .withColumn(
            "_m",
            F.sum("_brk").over(by_start.rowsBetween(Window.unboundedPreceding, Window.currentRow)),
        )
        .groupBy("a", "b", "_m")
        .agg(
            F.min("start").alias("start"),
            F.max("end").alias("end"),
            F.sum("n").alias("n"),
            F.sum("sum_lat").alias("sum_lat"),
            F.sum("sum_lon").alias("sum_lon"),
            F.sum("sum_lon360").alias("sum_lon360"),
            F.min("min_lon").alias("min_lon"),
            F.max("max_lon").alias("max_lon"),
            F.sum("sum_d").alias("sum_d"),
        )
    )
    return merged.select(
        F.lit("encounter").alias("event_type"),
        F.col("a").alias("mmsi"),
        F.col("b").alias("other_mmsi"),
        F.col("start").alias("start_us"),
        F.col("end").alias("end_us"),
        (F.col("sum_lat") / F.col("n")).alias("lat"),
        _mean_lon().alias("lon"),
        (F.col("sum_d") / F.col("n")).alias("distance_km"),
        F.col("n").alias("points"),
    )
