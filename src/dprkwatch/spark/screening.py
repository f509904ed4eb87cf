"""Screening a DataFrame of subjects on Spark: one ``mapInArrow`` over the partitions.

Each task receives its partition as Arrow record batches, turns every row
into a query by the rules the local batch uses
(:func:`dprkwatch.matching.subjects.record_subject`), screens it with the
shipped index (:mod:`dprkwatch.spark.shipping`) and yields the rows the
local batch would write (:func:`dprkwatch.matching.batch_files.result_row`).
Same rows, same code: the results equal the local engine's.

Arrow rather than pandas: the batches go from the JVM to Python and back
without a pandas copy, and ``RecordBatch.to_pylist`` gives the cells as the
local engine's Parquet reader sees them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pyarrow as pa

from dprkwatch.exceptions import DprkwatchError, InputError
from dprkwatch.matching import Scope, Screener, subjects
from dprkwatch.matching.batch_files import result_row
from dprkwatch.matching.screener import MAX_TOP
from dprkwatch.spark.columns import ARROW_SCHEMA, SPARK_SCHEMA, screened_columns
from dprkwatch.spark.shipping import Shipment, ShippedIndex, worker_screener

NO_ID = "empty id: the Spark engine tells rows apart by their id"
# Partitions per core when the input has too few to keep every core busy.
PARTITIONS_PER_CORE = 4

Rows = list[dict[str, Any]]


def check_options(top: int, threshold: float | None) -> None:
    """The checks ``Screener.screen`` makes, made on the driver before the job."""
    if not 1 <= top <= MAX_TOP:
        raise InputError(f"top must be between 1 and {MAX_TOP}, got {top}", where="top")
    if threshold is not None and not 0.0 <= float(threshold) <= 1.0:
        raise InputError(f"threshold must be between 0 and 1, got {threshold}", where="threshold")


def subject_rows(
    screener: Screener,
    record: dict[str, Any],
    top: int,
    threshold: float | None,
    scope: Scope | None,
) -> Rows:
    """The output rows of one input record: its results, an empty result, or its error.

    A row's own problem (no name, a bad schema, even an unexpected failure
    in screening) becomes its ``error``; it never fails the task.
    """
    raw_id = record.get("id")
    if raw_id is None or not str(raw_id).strip():
        return [result_row("", error=NO_ID)]
    row = subjects.record_subject(0, record)
    if row.query is None:
        return [result_row(row.subject_id, error=row.error)]
    try:
        matches = screener.screen(row.query, top=top, threshold=threshold, scope=scope)
    except DprkwatchError as exc:
        return [result_row(row.subject_id, error=str(exc))]
    except Exception as exc:  # one row must not fail a job over millions; it is reported
        return [result_row(row.subject_id, error=f"internal error: {type(exc).__name__}: {exc}")]
    if not matches:
        return [result_row(row.subject_id)]
    return [result_row(row.subject_id, rank=i, m=m) for i, m in enumerate(matches, start=1)]


def screen_batches(
    batches: Iterable[pa.RecordBatch],
    shipment: Shipment,
    top: int,
    threshold: float | None,
    scope: Scope | None,
) -> Iterator[pa.RecordBatch]:
    """The task body: Arrow batches of subjects in, Arrow batches of hits out."""

    def rows_of(screener: Screener, record: dict[str, Any]) -> Rows:
        return subject_rows(screener, record, top, threshold, scope)

    return subject_batches(batches, shipment, rows_of)


def subject_batches(
    batches: Iterable[pa.RecordBatch],
    shipment: Shipment,
    rows_of: Callable[[Screener, dict[str, Any]], Rows],
    schema: pa.Schema = ARROW_SCHEMA,
) -> Iterator[pa.RecordBatch]:
    """Each record's output rows (``rows_of``, with the shipped screener), one batch per batch."""
    screener = worker_screener(shipment)
    for batch in batches:
        out: Rows = []
        for record in batch.to_pylist():
            out.extend(rows_of(screener, record))
        yield pa.RecordBatch.from_pylist(out, schema=schema)


def prepare(df: Any, name: str = "input", partitions: int | None = None) -> Any:
    """The columns the screen reads, spread over enough partitions for every core.

    A single Parquet file of a million rows is often one row group, and so
    one task: without a repartition one core would do all the work.
    """
    df = df.select(*[f"`{c}`" for c in screened_columns(df, name)])
    cores = int(df.sparkSession.sparkContext.defaultParallelism)
    if partitions is not None:
        return df.repartition(max(1, partitions))
    if df.rdd.getNumPartitions() < cores * 2:
        return df.repartition(cores * PARTITIONS_PER_CORE)
    return df


def map_subjects(
    df: Any,
    task: Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]],
    schema: str = SPARK_SCHEMA,
) -> Any:
    """``df.mapInArrow(task)`` into the hits' schema (or ``schema``)."""
    return df.mapInArrow(task, schema)


def screen(
    df: Any,
    index: ShippedIndex,
    *,
    top: int = 5,
    threshold: float | None = None,
    scope: Scope | None = None,
    partitions: int | None = None,
    name: str = "input",
) -> Any:
    """Screen every row of ``df`` against the shipped index; a DataFrame of hits.

    ``df`` needs an ``id`` column and a name or identifier column (the
    columns the local batch reads: ``name``, ``alias``, ``birth_date``,
    ``imo``... or FtM property names). The result has the local batch's
    columns (:data:`dprkwatch.matching.batch_files.OUTPUT_COLUMNS`): one
    row per hit (``rank`` 1..top), one row with an empty ``rank`` for a
    subject without hits, one row with an ``error`` for a bad row. Lazy,
    like every DataFrame: nothing runs until it is written or collected.
    """
    check_options(top, threshold)
    prepared = prepare(df, name, partitions)
    task = functools.partial(
        screen_batches, shipment=index.shipment, top=top, threshold=threshold, scope=scope
    )
    return map_subjects(prepared, task)
