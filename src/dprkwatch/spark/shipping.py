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

import atexit
import gc
import hashlib
import io
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
# On the driver: (application id, sha256) of the index files added, and their directory.
_ADDED: set[tuple[str, str]] = set()
_ROOT: Path | None = None


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
    frees the broadcast. A shipped file stays registered with the
    SparkContext (and on the driver's disk) until the process ends.
    """

    def __init__(self, spark: Any, screener: Screener, ship: Ship = "files") -> None:
        if ship not in SHIP_MODES:
            raise ValueError(f"ship must be one of {SHIP_MODES}, got {ship!r}")
        self.screener = screener
        started = time.perf_counter()
        buffer = io.BytesIO()
        index_cache.dump(screener.index, buffer)
        data = buffer.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        self.dump_seconds = time.perf_counter() - started
        started = time.perf_counter()
        sc = spark.sparkContext
        if ship == "files":
            name = _add_file(sc, data, digest)
            self.shipment = Shipment(digest, screener.algorithm, len(data), ship, name)
        else:
            self.shipment = Shipment(
                digest, screener.algorithm, len(data), ship, broadcast=sc.broadcast(data)
            )
        self.ship_seconds = time.perf_counter() - started

    @property
    def size(self) -> int:
        """Bytes shipped to each executor."""
        return self.shipment.size

    def close(self) -> None:
        """Free the broadcast; a shipped file stays (see :func:`_add_file`)."""
        if self.shipment.broadcast is not None:
            self.shipment.broadcast.destroy()

    def __enter__(self) -> ShippedIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _add_file(sc: Any, data: bytes, digest: str) -> str:
    """Add the index file to ``sc`` once; the name executors ask ``SparkFiles`` for.

    A file added to a SparkContext stays registered for the context's
    lifetime, and an executor fetches every registered file it has not
    seen, from its path, before its next task. So the file is named by its
    content, added once per context, and kept until the process ends:
    deleting it when a screen finishes would fail the next job of the same
    session.
    """
    global _ROOT
    name = f"dprkwatch-index-{digest[:24]}.marshal"
    key = (str(sc.applicationId), digest)
    if key in _ADDED:
        return name
    if _ROOT is None:
        _ROOT = Path(tempfile.mkdtemp(prefix="dprkwatch-spark-index-"))
        atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)
    path = _ROOT / name
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.rename(path)
    sc.addFile(str(path))
    _ADDED.add(key)
    return name


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
