"""Getting the screening index to the executors: built once on the driver, loaded once per worker.

The driver builds (or reads from its cache) the same index the local engine
uses and writes it in the index-cache format of
:mod:`dprkwatch.matching.cache`: core Python types under :mod:`marshal`, no
pickled objects, no code run on load, about 26 MB for OFAC, UN, EU and UK.
That file travels to the executors in one of two ways:

``files`` (the default)
    ``SparkContext.addFile``: each executor fetches the file once into its
    work directory and its Python workers read it from local disk. Nothing
    is held in the JVM's heap, so the driver needs no extra memory for it.
``broadcast``
    ``SparkContext.broadcast`` of the same bytes: the driver's and every
    executor's block manager keep a copy in JVM memory, and each Python
    worker reads its copy from a file the JVM writes. The same bytes move;
    the broadcast adds two heap copies. ``benchmarks/spark_screening.py``
    times both.

The index object itself is not pickled: it holds thread locks and memory
maps, and rebuilding it from the cache format is what the local engine
already does at every warm start. Each Python worker process rebuilds it
once and keeps it for every later task (Spark reuses Python workers), keyed
by the SHA-256 of the file, so two different indexes never mix.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from dprkwatch.matching import Screener
from dprkwatch.matching import cache as index_cache

Ship = Literal["files", "broadcast"]
SHIP_MODES: tuple[Ship, ...] = ("files", "broadcast")

# Per Python worker process: sha256 -> screener. Two entries at most (an
# old and a new index during delta screening).
_LOADED: dict[str, Screener] = {}
_KEEP = 2


@dataclass(frozen=True)
class Shipment:
    """What a task needs to find the index: small, pickled into every task's closure."""

    sha256: str
    algorithm: str
    size: int
    ship: Ship
    file_name: str | None = None
    broadcast: Any = None  # a pyspark Broadcast of the bytes (ship="broadcast")


class ShippedIndex:
    """A screener's index made available to every executor of ``spark``.

    Call :meth:`close` (or use it as a context manager) when done: it
    removes the driver's temporary file and the broadcast.
    """

    def __init__(self, spark: Any, screener: Screener, ship: Ship = "files") -> None:
        if ship not in SHIP_MODES:
            raise ValueError(f"ship must be one of {SHIP_MODES}, got {ship!r}")
        self.screener = screener
        started = time.perf_counter()
        self._dir = Path(tempfile.mkdtemp(prefix="dprkwatch-spark-index-"))
        path = self._dir / "index.marshal"
        with path.open("wb") as fh:
            index_cache.dump(screener.index, fh)
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        self.dump_seconds = time.perf_counter() - started
        started = time.perf_counter()
        sc = spark.sparkContext
        if ship == "files":
            # Content-addressed name: Spark refuses one name for two files.
            named = self._dir / f"dprkwatch-index-{digest[:24]}.marshal"
            path.rename(named)
            sc.addFile(str(named))
            self.shipment = Shipment(digest, screener.algorithm, len(data), ship, named.name)
        else:
            path.unlink()
            self.shipment = Shipment(
                digest, screener.algorithm, len(data), ship, broadcast=sc.broadcast(data)
            )
        self.ship_seconds = time.perf_counter() - started

    @property
    def size(self) -> int:
        """Bytes shipped to each executor."""
        return self.shipment.size

    def close(self) -> None:
        if self.shipment.broadcast is not None:
            self.shipment.broadcast.destroy()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> ShippedIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def worker_screener(shipment: Shipment) -> Screener:
    """The shipped index as a screener, in an executor's Python worker (loaded once per process)."""
    found = _LOADED.get(shipment.sha256)
    if found is not None:
        return found
    data = _bytes(shipment)
    if hashlib.sha256(data).hexdigest() != shipment.sha256:
        raise RuntimeError("the shipped screening index arrived damaged (checksum differs)")
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        index = index_cache.read(data, snapshot_files=False)
    finally:
        if was_enabled:
            gc.enable()
    gc.freeze()
    screener = Screener(index, shipment.algorithm)
    while len(_LOADED) >= _KEEP:
        _LOADED.pop(next(iter(_LOADED)))
    _LOADED[shipment.sha256] = screener
    return screener


def _bytes(shipment: Shipment) -> bytes:
    if shipment.broadcast is not None:
        value = shipment.broadcast.value
        if not isinstance(value, bytes):
            raise RuntimeError("the broadcast screening index is not bytes")
        return value
    from pyspark import SparkFiles

    assert shipment.file_name is not None
    return Path(SparkFiles.get(shipment.file_name)).read_bytes()
