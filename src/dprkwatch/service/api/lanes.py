"""Screening off the event loop, in two lanes, with a turn per API key.

One ``POST /match`` batch of 100 queries with 200 names each once held the
event loop for 25 s: every other request of that worker, ``/readyz``
included, waited behind it. Screening (and the parsing and validation of a
request body, and the building of its answer) therefore runs on threads,
never on the loop, and

* **two lanes** keep small requests from queueing behind big ones: a
  request with a small body and few names (a single query, the usual case)
  runs in the *quick* lane, in one step; anything larger runs in the *bulk*
  lane one query at a time, so several big batches take turns and none can
  hold a thread for long. Each lane is a bounded pool
  (``DPRKWATCH_SCREEN_THREADS`` threads; the bulk lane one fewer, so a
  thread is always left for the quick lane);
* **a turn per key**: one key may have ``DPRKWATCH_KEY_CONCURRENCY``
  requests screening at once and ``DPRKWATCH_KEY_QUEUE`` more waiting; a
  request beyond that is refused at once with 429 and ``Retry-After``
  rather than piling up work no one will wait for.

Python runs one thread at a time, so the threads do not add speed; they
add *turns*. The loop, the quick lane and the audit writer each get the
interpreter every few milliseconds however long a bulk batch runs - but
only a share of it: so the bulk lane's queries are scored in a process of
their own when there is one (:mod:`dprkwatch.service.bulk`); the bulk
lane's threads then only read big requests and build their answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, TypeVar

from dprkwatch.exceptions import InputError
from dprkwatch.service.algorithms import Algorithms
from dprkwatch.service.bulk import BulkWorker
from dprkwatch.service.exceptions import TooManyRequests
from dprkwatch.service.handoff import LoopThreads
from dprkwatch.service.index import Loaded
from dprkwatch.service.screening import Ask, Candidates

T = TypeVar("T")


class Batch(Protocol):
    """A request read and validated: the index it was read against, whether it is small,
    and one screening per query."""

    @property
    def loaded(self) -> Loaded: ...

    @property
    def small(self) -> bool: ...

    def asks(self) -> list[Ask]: ...


B = TypeVar("B", bound=Batch)

# A request is "small" (quick lane) up to this many bytes of body and name values.
SMALL_BODY = 8192
SMALL_NAMES = 20
RETRY_AFTER = 1.0


@dataclass
class _Turns:
    running: int = 0
    # Requests waiting for a turn, first come first served; a turn that ends is
    # handed to the first of them.
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)


class _Turn:
    """``async with lanes.turn(key)``: one of the key's turns, for the block.

    A class rather than ``contextlib.asynccontextmanager``, whose generator
    and wrappers cost more than the counting: it is entered on every
    screening request.
    """

    __slots__ = ("key", "lanes")

    def __init__(self, lanes: Lanes, key: str) -> None:
        self.lanes, self.key = lanes, key

    async def __aenter__(self) -> None:
        await self.lanes.acquire(self.key)

    async def __aexit__(self, *_exc: object) -> None:
        self.lanes.release(self.key)


class Lanes:
    """The quick and bulk thread pools, the bulk lane's process and the per-key counters."""

    def __init__(
        self,
        threads: int,
        per_key: int,
        queue: int,
        algorithms: Algorithms | None = None,
        worker: BulkWorker | None = None,
    ) -> None:
        self.algorithms = algorithms or Algorithms()
        self.worker = worker
        self.quick = LoopThreads(threads, "screen-quick")
        self.bulk = LoopThreads(threads - 1, "screen-bulk")
        self.per_key = max(1, per_key)
        self.queue = max(0, queue)
        self._turns: dict[str, _Turns] = {}

    def turn(self, key: str) -> _Turn:
        """Wait for one of ``key``'s turns (429 when its queue is full too)."""
        return _Turn(self, key)

    async def acquire(self, key: str) -> None:
        """Take one of ``key``'s turns, waiting in line when all are taken; 429 when the
        line is full too. Every acquire is followed by one :meth:`release`."""
        turns = self._turns.get(key)
        if turns is None:
            turns = self._turns[key] = _Turns()
        if turns.running < self.per_key and not turns.waiting:
            turns.running += 1
            return
        if len(turns.waiting) >= self.queue:
            raise TooManyRequests(
                f"this API key already has {turns.running} requests screening and "
                f"{len(turns.waiting)} waiting (DPRKWATCH_KEY_CONCURRENCY, DPRKWATCH_KEY_QUEUE); "
                "retry shortly",
                retry_after=RETRY_AFTER,
            )
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        turns.waiting.append(ready)
        try:
            await ready  # release() hands its turn over: ``running`` stays as it is
        except asyncio.CancelledError:
            if ready.done() and not ready.cancelled():
                self.release(key)  # the turn came, but its request has gone
            else:
                with contextlib.suppress(ValueError):
                    turns.waiting.remove(ready)
                self._forget(key, turns)
            raise

    def release(self, key: str) -> None:
        """End one of ``key``'s turns: the first request waiting takes it over."""
        turns = self._turns[key]
        while turns.waiting:
            ready = turns.waiting.popleft()
            if not ready.done():
                ready.set_result(None)
                return
        turns.running -= 1
        self._forget(key, turns)

    def _forget(self, key: str, turns: _Turns) -> None:
        if not turns.running and not turns.waiting:
            self._turns.pop(key, None)

    def load(self, key: str) -> tuple[int, int]:
        """How many of ``key``'s requests are screening and how many wait."""
        turns = self._turns.get(key)
        return (turns.running, len(turns.waiting)) if turns else (0, 0)

    async def quick_call(self, fn: Callable[[], T]) -> T:
        return await self.quick.call(fn)

    async def bulk_call(self, fn: Callable[[], T]) -> T:
        return await self.bulk.call(fn)

    async def screen(self, read: Callable[[], B], body_bytes: int) -> tuple[B, list[Candidates]]:
        """Read a request (``read`` parses and validates it) and screen it, off the loop.

        A small body is read, and when the batch is small screened too, in one
        step of the quick lane; anything else is read in the bulk lane and
        screened one query per step, in the bulk process when it holds the
        request's lists, else on the bulk lane's thread.
        """
        if body_bytes <= SMALL_BODY:
            batch, done = await self.quick_call(partial(self._screen_if_small, read))
        else:
            batch, done = await self.bulk_call(read), None
        if done is None:
            done = [await self._screen_bulk(batch.loaded, ask) for ask in batch.asks()]
        return batch, done

    def _screen_if_small(self, read: Callable[[], B]) -> tuple[B, list[Candidates] | None]:
        batch = read()
        if not batch.small:
            return batch, None
        return batch, [ask.run(batch.loaded, self.algorithms) for ask in batch.asks()]

    async def _screen_bulk(self, loaded: Loaded, ask: Ask) -> Candidates:
        if self.worker is not None:
            done = await self.worker.screen(loaded.versions, ask)
            if done is not None:
                return done
        return await self.bulk_call(partial(ask.run, loaded, self.algorithms))

    def close(self) -> None:
        self.quick.close()
        self.bulk.close()
        if self.worker is not None:
            self.worker.close()


def check_name_values(names: int, most: int) -> None:
    """Refuse a request holding more than ``most`` name values in all (F1's cap on work)."""
    if names > most:
        raise InputError(
            f"the batch holds {names:,} name values in all (name, alias, weakAlias, "
            f"previousName); at most {most:,} (DPRKWATCH_MAX_NAME_VALUES): split it",
            where="queries",
        )
