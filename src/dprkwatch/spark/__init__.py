"""Screening on Apache Spark, for books that outgrow one machine.

Public API::

    from dprkwatch.spark import ShippedIndex, screen, rescreen, list_change

    screener = Screener.from_store(SnapshotStore(home))    # built once, on the driver
    with ShippedIndex(spark, screener) as index:            # to every executor, once
        hits = screen(spark.read.parquet("hdfs://.../customers"), index, top=5)
        hits.write.parquet("hdfs://.../hits")

``screen`` takes a DataFrame with an ``id`` column and the columns the
local batch reads (``name``, ``alias``, ``birth_date``, ``nationality``,
``imo``...) and returns a DataFrame with the local batch's output columns,
row for row the local engine's results. ``rescreen`` re-screens after a
list update only the subjects that meet a blocking key or identifier of an
added, changed or removed entry. Modules: ``session`` (starting and
stopping Spark), ``shipping`` (the index to the executors), ``columns``
(checks before any job), ``screening`` (the ``mapInArrow`` task),
``delta`` (delta screening), ``paths`` and ``run`` (the command line's
files in and out). pyspark is imported only when a session is used.
"""

from dprkwatch.spark.columns import SPARK_SCHEMA, screened_columns
from dprkwatch.spark.delta import Delta, ListChange, list_change, rescreen
from dprkwatch.spark.exceptions import NoActiveLists, SparkInputError, SparkUnavailable
from dprkwatch.spark.screening import screen
from dprkwatch.spark.session import shutdown_gateway, start_session, stop_session
from dprkwatch.spark.shipping import SHIP_MODES, ShippedIndex

__all__ = [
    "SHIP_MODES",
    "SPARK_SCHEMA",
    "Delta",
    "ListChange",
    "NoActiveLists",
    "ShippedIndex",
    "SparkInputError",
    "SparkUnavailable",
    "list_change",
    "rescreen",
    "screen",
    "screened_columns",
    "shutdown_gateway",
    "start_session",
    "stop_session",
]
