"""Read-ahead: the next day is read and checked while the engine works on this one.

Reading a day (Parquet decoding, quality checks, sorting) and detecting on
the previous one are independent, and Polars and numpy release the GIL in
their loops, so a producer thread keeps the second core busy.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def ahead(items: Iterator[T], depth: int = 1) -> Generator[T]:
    """``items``, produced by a background thread up to ``depth`` ahead of the consumer.

    An exception in the producer is raised in the consumer. A consumer that
    stops early (an exception of its own, or ``close()``) stops the producer
    at its next item; no put ever blocks on a queue nobody reads any more.
    """
    out: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)

    worker = threading.Thread(target=produce, name="dprkwatch-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = out.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
