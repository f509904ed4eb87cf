"""``dprkwatch screen --engine spark``: a file or directory of subjects in, hits out.

The order is chosen so that anything wrong is found before the cluster
does any work: the index is built from the data directory first (no
active lists: stop before Spark even starts), then the session starts,
the paths are checked, the DataFrame's columns are checked, and only then
is the index shipped and the job run. Each step's time is kept in the
report, which is how the benchmark separates Spark's fixed overhead from
its throughput.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from dprkwatch.lists import SnapshotStore
from dprkwatch.matching import Scope, Screener
from dprkwatch.spark import paths
from dprkwatch.spark.delta import RESCORED, rescreen
from dprkwatch.spark.exceptions import (
    NoActiveLists,
    SparkInputError,
    SparkJobFailed,
    SparkUnavailable,
)
from dprkwatch.spark.screening import check_options, screen
from dprkwatch.spark.session import DEFAULT_MASTER, spark_running, start_session, stop_session
from dprkwatch.spark.shipping import Ship, ShippedIndex


@dataclass
class SparkRun:
    """What a Spark screen did: the counts of the local batch, plus Spark's own figures."""

    rows: int
    errors: int
    matched: int
    results: int
    output: str
    algorithm: str
    threshold: float
    lists: dict[str, str]
    master: str
    ship: str
    index_bytes: int
    rescreened: int | None = None
    rescored: int | None = None
    alerts: dict[str, int] | None = None
    # After a list update: how far the scoring weights moved (delta.weight_drift).
    drift: dict[str, float] | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def active_screener(store: SnapshotStore, algorithm: str | None = None) -> Screener:
    """The local engine's screener over the active lists (through its index cache)."""
    if not store.active_versions():
        raise NoActiveLists(
            f"no lists are active in {store.home}; import some first with `dprkwatch lists import PATH`"
        )
    return Screener.from_store(store, algorithm=algorithm)


def screener_at(store: SnapshotStore, versions: dict[str, str], algorithm: str | None) -> Screener:
    """A screener over the given ``{list: version}`` snapshots (raises SnapshotNotFound)."""
    snaps = {name: store.open(name, str(vid)) for name, vid in versions.items()}
    return Screener.from_snapshots(
        snaps, algorithm=algorithm, cache_dir=store.layout.matching_cache
    )


def _summary(spark: Any, path: str, fmt: str) -> tuple[int, int, int, int]:
    """Rows, errors, subjects with a match, result rows: read back from what was written."""
    from pyspark.sql import functions as F

    df = paths.read_hits(spark, path, fmt)
    match = F.col("match")
    row = df.agg(
        F.countDistinct("query_id").alias("rows"),
        F.sum(F.col("query_id").isNull().cast("int")).alias("no_id"),
        F.sum(F.col("error").isNotNull().cast("int")).alias("errors"),
        F.countDistinct(F.when(match, F.col("query_id"))).alias("matched"),
        F.sum(F.col("rank").isNotNull().cast("int")).alias("results"),
    ).first()
    return (
        int(row["rows"] or 0) + int(row["no_id"] or 0),  # a row without an id: one error row
        int(row["errors"] or 0),
        int(row["matched"] or 0),
        int(row["results"] or 0),
    )


def screen_path(
    store: SnapshotStore,
    input_path: str,
    output_path: str,
    *,
    input_format: str | None = None,
    output_format: str | None = None,
    top: int = 5,
    threshold: float | None = None,
    scope: Scope | None = None,
    algorithm: str | None = None,
    master: str | None = DEFAULT_MASTER,
    ship: Ship = "files",
    partitions: int | None = None,
    previous: str | None = None,
    conf: dict[str, str] | None = None,
) -> SparkRun:
    """Screen ``input_path`` into ``output_path`` on Spark (all of it, or the delta since ``previous``)."""
    seconds: dict[str, float] = {}
    in_fmt = paths.detect_format(input_path, input_format)
    out_fmt = paths.detect_format(output_path, output_format)
    check_options(top, threshold)
    t = time.perf_counter()
    screener = active_screener(store, algorithm)
    seconds["index"] = time.perf_counter() - t
    t = time.perf_counter()
    owned = not spark_running()
    spark = start_session("dprkwatch-screen", SparkUnavailable, master=master, conf=conf)
    seconds["session"] = time.perf_counter() - t
    try:
        return _run(spark, store, screener, seconds, input_path, output_path, in_fmt, out_fmt,
                    top=top, threshold=threshold, scope=scope, algorithm=algorithm, ship=ship,
                    partitions=partitions, previous=previous)  # fmt: skip
    except Exception as exc:
        failed = job_failure(exc)
        if failed is None:
            raise
        raise failed from None
    finally:
        if owned:
            stop_session(spark)


def job_failure(exc: BaseException) -> SparkJobFailed | None:
    """The one line that says why a Spark job failed, or None when ``exc`` is not Spark's.

    Read while the session still runs: a captured JVM exception asks the
    JVM for its message.
    """
    module = type(exc).__module__
    if not (module.startswith("pyspark") or module.startswith("py4j")):
        return None
    try:
        text = str(exc)
    except Exception:  # the JVM is gone
        text = ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    # A task's Python traceback ends with its exception; a JVM error starts with its message.
    errors = [ln for ln in lines if ln.split(":", 1)[0].endswith(("Error", "Exception"))]
    line = errors[-1] if errors else (lines[0] if lines else type(exc).__name__)
    return SparkJobFailed(f"the Spark job failed: {line[:500]}")


def _run(
    spark: Any,
    store: SnapshotStore,
    screener: Screener,
    seconds: dict[str, float],
    input_path: str,
    output_path: str,
    in_fmt: str,
    out_fmt: str,
    *,
    top: int,
    threshold: float | None,
    scope: Scope | None,
    algorithm: str | None,
    ship: Ship,
    partitions: int | None,
    previous: str | None,
) -> SparkRun:
    shipped: ShippedIndex | None = None
    try:
        fs = paths.FileSystem(spark)
        paths.check_paths(fs, input_path, output_path)
        old: Screener | None = None
        if previous is not None:
            meta = paths.read_metadata(fs, previous)
            same_options(meta, previous, screener.algorithm,
                         screener.threshold if threshold is None else threshold, top, scope)  # fmt: skip
            t = time.perf_counter()
            old = screener_at(store, meta["lists"], algorithm)
            seconds["old_index"] = time.perf_counter() - t
        df = paths.read_table(spark, input_path, in_fmt)
        t = time.perf_counter()
        shipped = ShippedIndex(spark, screener, ship)
        seconds["ship"] = time.perf_counter() - t
        rescreened: int | None = None
        rescored: int | None = None
        alerts: dict[str, int] | None = None
        drift: dict[str, float] | None = None
        t = time.perf_counter()
        if old is None:
            hits = screen(df, shipped, top=top, threshold=threshold, scope=scope,
                          partitions=partitions, name=input_path)  # fmt: skip
        else:
            assert previous is not None
            delta = rescreen(df, paths.read_hits(spark, previous, _format_of(previous)), old,
                             shipped, top=top, threshold=threshold, scope=scope,
                             partitions=partitions, name=input_path)  # fmt: skip
            hits = delta.hits
            drift = delta.change.drift
        cut = screener.threshold if threshold is None else threshold
        metadata = {
            "algorithm": screener.algorithm, "threshold": cut, "lists": screener.versions,
            "top": top, "scope": scope_of(scope), "previous": previous, "input": input_path,
        }  # fmt: skip
        paths.write_table(fs, hits, output_path, out_fmt, metadata)
        seconds["screen"] = time.perf_counter() - t
        if old is not None:
            t = time.perf_counter()
            from pyspark.sql import functions as F

            how = delta.fresh.groupBy(RESCORED).agg(F.countDistinct("query_id").alias("n"))
            counts = {bool(r[RESCORED]): int(r["n"]) for r in how.collect()}
            rescreened, rescored = counts.get(False, 0), counts.get(True, 0)
            kinds = delta.alerts.groupBy("kind").count().collect()
            alerts = {k: 0 for k in ("new", "changed", "removed")} | {
                r["kind"]: int(r["count"]) for r in kinds
            }
            delta.fresh.unpersist()
            seconds["delta_counts"] = time.perf_counter() - t
        t = time.perf_counter()
        rows, errors, matched, results = _summary(spark, output_path, out_fmt)
        seconds["summary"] = time.perf_counter() - t
        return SparkRun(
            rows=rows, errors=errors, matched=matched, results=results, output=output_path,
            algorithm=screener.algorithm, threshold=cut, lists=screener.versions,
            master=str(spark.sparkContext.master), ship=ship, index_bytes=shipped.size,
            rescreened=rescreened, rescored=rescored, alerts=alerts, drift=drift,
            seconds=seconds,
        )  # fmt: skip
    finally:
        if shipped is not None:
            shipped.close()


def scope_of(scope: Scope | None) -> dict[str, Any]:
    """A scope as plain JSON values, to tell whether two screens used the same one."""
    scope = scope or Scope()
    return {
        "lists": sorted(scope.lists) if scope.lists is not None else None,
        "dprk_only": scope.dprk_only,
        "programs": sorted(scope.programs) if scope.programs is not None else None,
    }


def same_options(
    meta: dict[str, Any], previous: str, algorithm: str, cut: float, top: int, scope: Scope | None
) -> None:
    """A delta keeps the previous rows of most subjects, so they must come from the same options."""
    now = {"algorithm": algorithm, "threshold": cut, "top": top, "scope": scope_of(scope)}
    for key, value in now.items():
        if meta.get(key) != value:
            raise SparkInputError(
                f"the previous screen ran with {key} {meta.get(key)!r}, this one with {value!r}; "
                "delta screening needs the same options (or screen in full)",
                source=previous,
            )


def _format_of(path: str) -> str:
    """A previous output's format: by suffix, else Parquet (what the engine writes by default)."""
    try:
        return paths.detect_format(path)
    except SparkInputError:
        return "parquet"
