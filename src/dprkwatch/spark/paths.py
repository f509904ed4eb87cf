"""Input and output paths on any file system Spark reads: local, HDFS, S3, ...

Paths stay strings (``hdfs://namenode/books/2026``; a ``pathlib.Path``
would fold the double slash) and are checked through Hadoop's
``FileSystem`` API, so the same checks work on a laptop and on a cluster.

Outputs are written the way the local engine writes files: never over an
existing output, and into a temporary sibling that is renamed into place
only when the job has succeeded, so a failed or killed job leaves nothing
half-written at the path. Beside the part files goes ``_dprkwatch.json``
(the list versions, algorithm and options of the screen); Spark's readers
skip files whose names start with ``_``, and delta screening reads it to
know what the previous screen was run against.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from dprkwatch.spark.exceptions import SparkInputError

FORMATS = ("csv", "parquet")
METADATA = "_dprkwatch.json"
_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def detect_format(path: str, fmt: str | None = None) -> str:
    """``csv`` or ``parquet``: the one named, else the path's suffix."""
    if fmt is not None:
        if fmt.lower() not in FORMATS:
            raise SparkInputError(
                f"the Spark engine reads and writes {' or '.join(FORMATS)}, not {fmt!r}",
                source=path,
            )
        return fmt.lower()
    tail = path.rstrip("/").rsplit("/", 1)[-1]
    suffix = "." + tail.rsplit(".", 1)[-1].lower() if "." in tail else ""
    if suffix not in _SUFFIXES:
        raise SparkInputError(
            f"cannot tell the format from the suffix {suffix or '(none)'!r} "
            "(use .csv or .parquet, or --input-format/--output-format)",
            source=path,
        )
    return _SUFFIXES[suffix]


class FileSystem:
    """Hadoop's view of the paths a session can reach."""

    def __init__(self, spark: Any) -> None:
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _path(self, path: str) -> tuple[Any, Any]:
        p = self._jvm.org.apache.hadoop.fs.Path(path)
        return p, p.getFileSystem(self._conf)

    def exists(self, path: str) -> bool:
        p, fs = self._path(path)
        return bool(fs.exists(p))

    def qualified(self, path: str) -> str:
        """The path with its scheme (``file:/...``, ``hdfs://...``), to compare two paths."""
        p, fs = self._path(path)
        return str(fs.makeQualified(p).toString())

    def rename(self, source: str, target: str) -> None:
        p, fs = self._path(source)
        if not fs.rename(p, self._jvm.org.apache.hadoop.fs.Path(target)):
            raise SparkInputError(
                f"could not move the finished output into place from {source}", source=target
            )

    def delete(self, path: str) -> None:
        p, fs = self._path(path)
        fs.delete(p, True)

    def write_bytes(self, path: str, data: bytes) -> None:
        p, fs = self._path(path)
        out = fs.create(p, True)
        try:
            out.write(bytearray(data))
        finally:
            out.close()

    def read_bytes(self, path: str) -> bytes:
        p, fs = self._path(path)
        stream = fs.open(p)
        try:
            data = self._jvm.org.apache.commons.io.IOUtils.toByteArray(stream)
        finally:
            stream.close()
        return bytes(data)


def check_paths(fs: FileSystem, input_path: str, output_path: str) -> None:
    """The input exists, the output does not, and they differ (before any job)."""
    if not fs.exists(input_path):
        raise SparkInputError("no such file or directory", source=input_path)
    if fs.qualified(input_path) == fs.qualified(output_path):
        raise SparkInputError("output would overwrite the input", source=output_path)
    if fs.exists(output_path):
        raise SparkInputError(
            "already exists; the Spark engine never writes over an output (remove it or pick another path)",
            source=output_path,
        )


def read_table(spark: Any, path: str, fmt: str) -> Any:
    """A subjects file (or directory of part files) as a DataFrame; CSV cells stay text.

    CSV is read as RFC 4180 (``""`` escapes a quote), like Python's csv
    module, with the header's names trimmed and a byte-order mark dropped.
    """
    if fmt == "parquet":
        return spark.read.parquet(path)
    sep = "\t" if path.rstrip("/").lower().endswith(".tsv") else ","
    df = (
        spark.read.option("header", "true")
        .option("escape", '"')
        .option("sep", sep)
        .option("encoding", "UTF-8")
        .option("mode", "PERMISSIVE")
        .csv(path)
    )
    clean = [c.replace("\ufeff", "").strip() for c in df.columns]
    return df.toDF(*clean) if clean != list(df.columns) else df


def read_hits(spark: Any, path: str, fmt: str) -> Any:
    """An earlier screen's output, with the hits' column types (CSV cells are typed again)."""
    from dprkwatch.spark.columns import SPARK_SCHEMA

    if fmt == "parquet":
        return spark.read.parquet(path)
    return spark.read.option("header", "true").option("escape", '"').schema(SPARK_SCHEMA).csv(path)


def write_table(fs: FileSystem, df: Any, path: str, fmt: str, metadata: dict[str, Any]) -> None:
    """Write ``df`` to a temporary sibling of ``path``, then rename it into place."""
    tmp = f"{path.rstrip('/')}.tmp-{uuid.uuid4().hex[:12]}"
    try:
        writer = df.write.mode("errorifexists")
        if fmt == "csv":
            writer.option("header", "true").option("escape", '"').csv(tmp)
        else:
            writer.parquet(tmp)
        fs.write_bytes(f"{tmp}/{METADATA}", orjson.dumps(metadata, option=orjson.OPT_INDENT_2))
        fs.rename(tmp, path)
    except BaseException:
        if fs.exists(tmp):
            fs.delete(tmp)
        raise


def read_metadata(fs: FileSystem, path: str) -> dict[str, Any]:
    """The ``_dprkwatch.json`` of an earlier screen's output."""
    meta = f"{path.rstrip('/')}/{METADATA}"
    if not fs.exists(meta):
        raise SparkInputError(
            f"no {METADATA}: not the output of a dprkwatch Spark screen", source=path
        )
    try:
        data = orjson.loads(fs.read_bytes(meta))
    except orjson.JSONDecodeError as exc:
        raise SparkInputError(f"unreadable {METADATA} ({exc})", source=path) from None
    if not isinstance(data, dict) or not isinstance(data.get("lists"), dict):
        raise SparkInputError(f"{METADATA} names no list versions", source=path)
    return data
