"""Handing work from the event loop to a thread and its result straight back.

Every ``/match`` request crosses between the event loop and a thread twice:
to its screening lane and back, to the audit writer and back. Through
``loop.run_in_executor`` and ``asyncio.wrap_future`` each crossing builds a
``concurrent.futures.Future`` (a ``threading.Condition`` inside), chains it
to an asyncio future with callbacks on both sides, and on the way back the
loop copies the result over, taking that condition's lock four times. On a
single-query ``/match`` those crossings were about a sixth of a worker's
CPU samples (py-spy, 2026-12-07), more than the Python code of the route
itself.

Here the thread is given the asyncio future itself, and settles it with
one ``loop.call_soon_threadsafe``: no second future, no lock, no chain.
:class:`LoopThreads` is the thread pool built on that (the screening
lanes); :func:`settle` is the crossing back, for a thread that already
exists (the audit writer).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def _set(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():  # cancelled meanwhile: its caller has gone
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


def settle(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    value: Any = None,
    error: BaseException | None = None,
) -> None:
    """From any thread: give ``future`` (of ``loop``) its value or its error."""
    with contextlib.suppress(RuntimeError):  # the loop has closed: no one waits any more
        loop.call_soon_threadsafe(_set, future, value, error)


class LoopThreads:
    """``threads`` threads that run calls for asyncio callers, first come first served.

    What ``loop.run_in_executor`` does, without the concurrent future. The
    threads start with the first call. ``close`` lets a running call finish
    and cancels the ones still queued.
    """

    def __init__(self, threads: int, name: str) -> None:
        self.size = max(1, threads)
        self.name = name
        self._queue: queue.SimpleQueue[
            tuple[Callable[[], Any], asyncio.AbstractEventLoop, asyncio.Future[Any]] | None
        ] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    async def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn()`` on one of the threads; its value, or its exception raised here."""
        if not self._threads:
            self._start()
        if self._closed:
            raise RuntimeError(f"{self.name}: the threads have been closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((fn, loop, future))
        return await future

    def _start(self) -> None:
        with self._lock:
            if self._threads or self._closed:
                return
            for i in range(self.size):
                thread = threading.Thread(target=self._run, name=f"{self.name}_{i}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            self._one(*item)

    @staticmethod
    def _one(
        fn: Callable[[], Any], loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any]
    ) -> None:
        # A method of its own, so that nothing of a finished call stays referenced by the
        # thread while it waits for the next one.
        if future.done():  # cancelled while it waited
            return
        try:
            value = fn()
        except BaseException as exc:  # handed to the caller, as run_in_executor does
            settle(loop, future, error=exc)
        else:
            settle(loop, future, value)

    def close(self) -> None:
        """Stop the threads once their running calls end; cancel what is still queued."""
        with self._lock:
            self._closed = True
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    _fn, loop, future = item
                    with contextlib.suppress(RuntimeError):
                        loop.call_soon_threadsafe(future.cancel)
            for _ in self._threads:
                self._queue.put(None)
