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
one ``loop.call_soon_threadsafe`` (shared by the settlements that arrive
before the loop runs it): no second future, no chain.
:class:`LoopThreads` is the thread pool built on that (the screening
lanes); :func:`settle` is the crossing back, for a thread that already
exists (the audit writer).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import weakref
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


class _Inbox:
    """Settlements waiting for one loop, delivered by one callback per wake-up.

    ``loop.call_soon_threadsafe`` wakes the loop with a write to its
    self-pipe, a system call made while holding the interpreter: at several
    hundred requests a second, two crossings each, it was about a tenth of
    a worker's samples (py-spy ``--gil``, ``/reconcile``, 2026-12-07).
    Settlements that arrive while a delivery is already scheduled join it
    instead of waking the loop again. Each is delivered in the order it came.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._items: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        self._lock = threading.Lock()
        self._scheduled = False

    def put(self, future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
        with self._lock:
            self._items.append((future, value, error))
            if self._scheduled:
                return
            self._scheduled = True
        try:
            self.loop.call_soon_threadsafe(self._deliver)
        except RuntimeError:  # the loop has closed: no one waits any more
            with self._lock:
                self._items.clear()
                self._scheduled = False

    def _deliver(self) -> None:
        with self._lock:
            items, self._items = self._items, []
            self._scheduled = False
        for future, value, error in items:
            _set(future, value, error)


_inboxes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Inbox] = weakref.WeakKeyDictionary()
_inboxes_lock = threading.Lock()


def _inbox(loop: asyncio.AbstractEventLoop) -> _Inbox:
    inbox = _inboxes.get(loop)
    if inbox is None:
        with _inboxes_lock:
            inbox = _inboxes.get(loop)
            if inbox is None:
                inbox = _inboxes[loop] = _Inbox(loop)
    return inbox


def settle(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    value: Any = None,
    error: BaseException | None = None,
) -> None:
    """From any thread: give ``future`` (of ``loop``) its value or its error."""
    _inbox(loop).put(future, value, error)


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
