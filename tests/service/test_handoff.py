"""The loop-to-thread hand-off (service.handoff) and the per-key turns of the lanes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from dprkwatch.service.api.lanes import Lanes
from dprkwatch.service.exceptions import TooManyRequests
from dprkwatch.service.handoff import LoopThreads, settle


def test_calls_run_on_the_threads_and_hand_back_values_and_errors() -> None:
    pool = LoopThreads(2, "t")

    async def main() -> tuple[list[str], str]:
        names = await asyncio.gather(
            *(pool.call(lambda: threading.current_thread().name) for _ in range(20))
        )
        try:
            await pool.call(lambda: 1 // 0)
        except ZeroDivisionError as exc:
            return names, type(exc).__name__
        return names, "no error"

    try:
        names, error = asyncio.run(main())
    finally:
        pool.close()
    assert set(names) <= {"t_0", "t_1"} and threading.current_thread().name not in names
    assert error == "ZeroDivisionError"


def test_settlements_from_a_thread_arrive_in_order_with_fewer_wake_ups() -> None:
    """A burst settled while the loop is busy is delivered whole, in order, errors included."""
    calls: list[int] = []

    async def main() -> tuple[list[object], int]:
        loop = asyncio.get_running_loop()
        real = loop.call_soon_threadsafe

        def counted(*args: object, **kwargs: object) -> object:
            calls.append(1)
            return real(*args, **kwargs)  # type: ignore[arg-type]

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        futures = [loop.create_future() for _ in range(200)]
        cancelled = futures[7]
        cancelled.cancel()  # its caller has gone: settling it is a no-op

        def burst() -> None:
            for i, f in enumerate(futures):
                settle(loop, f, error=ValueError(i) if i % 50 == 0 else None, value=i)

        thread = threading.Thread(target=burst)
        thread.start()
        thread.join()  # the loop has not run meanwhile: one delivery holds them all
        done = await asyncio.gather(*futures, return_exceptions=True)
        return done, len(calls)

    done, wake_ups = asyncio.run(main())
    assert wake_ups == 1
    for i, got in enumerate(done):
        if i == 7:
            assert isinstance(got, asyncio.CancelledError)
        elif i % 50 == 0:
            assert isinstance(got, ValueError) and got.args == (i,)
        else:
            assert got == i


def test_settling_for_a_closed_loop_is_dropped() -> None:
    loop = asyncio.new_event_loop()
    future = loop.create_future()
    loop.close()
    settle(loop, future, 1)  # no one waits any more: neither raises nor delivers
    assert not future.done()


def test_a_cancelled_call_still_queued_never_runs_and_close_cancels_the_queue() -> None:
    pool = LoopThreads(1, "t")
    gate = threading.Event()
    ran: list[str] = []

    async def main() -> tuple[bool, bool]:
        blocker = asyncio.ensure_future(pool.call(gate.wait))
        await asyncio.sleep(0.05)  # the one thread is now blocked
        dropped = asyncio.ensure_future(pool.call(lambda: ran.append("dropped")))
        queued = asyncio.ensure_future(pool.call(lambda: ran.append("queued")))
        await asyncio.sleep(0)
        dropped.cancel()
        await asyncio.sleep(0)
        pool.close()  # cancels what is still queued; the running call finishes
        gate.set()
        await blocker
        await asyncio.sleep(0.05)
        return dropped.cancelled(), queued.cancelled()

    dropped, queued = asyncio.run(main())
    assert (dropped, queued) == (True, True)
    assert ran == []


@contextmanager
def one_key(queue: int) -> Iterator[Lanes]:
    """Lanes giving key "k" one turn and ``queue`` places in line; every turn and place
    must be given back by the end of the block."""
    lanes = Lanes(threads=1, per_key=1, queue=queue)
    try:
        yield lanes
        assert lanes.load("k") == (0, 0)
    finally:
        lanes.close()


def test_a_key_beyond_its_turns_waits_in_line_then_gets_429() -> None:
    async def main(lanes: Lanes) -> list[str]:
        order: list[str] = []
        release = asyncio.Event()

        async def hold(name: str) -> None:
            async with lanes.turn("k"):
                order.append(name)
                await release.wait()

        first = asyncio.ensure_future(hold("first"))
        await asyncio.sleep(0)
        second = asyncio.ensure_future(hold("second"))
        await asyncio.sleep(0)
        assert lanes.load("k") == (1, 1)
        with pytest.raises(TooManyRequests):
            await lanes.acquire("k")
        release.set()
        await asyncio.gather(first, second)
        return order

    with one_key(queue=1) as lanes:
        assert asyncio.run(main(lanes)) == ["first", "second"]


def test_a_request_cancelled_while_waiting_gives_up_its_place() -> None:
    async def main(lanes: Lanes) -> tuple[int, int]:
        await lanes.acquire("k")
        waiter = asyncio.ensure_future(lanes.acquire("k"))
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        seen = lanes.load("k")
        lanes.release("k")
        return seen

    with one_key(queue=2) as lanes:
        assert asyncio.run(main(lanes)) == (1, 0)


def test_a_turn_handed_to_a_request_that_was_cancelled_is_passed_on() -> None:
    async def main(lanes: Lanes) -> tuple[int, int]:
        await lanes.acquire("k")
        waiter = asyncio.ensure_future(lanes.acquire("k"))
        await asyncio.sleep(0)
        lanes.release("k")  # hands the turn to the waiter ...
        waiter.cancel()  # ... which is cancelled before it resumes
        with pytest.raises(asyncio.CancelledError):
            await waiter
        return lanes.load("k")

    with one_key(queue=2) as lanes:
        assert asyncio.run(main(lanes)) == (0, 0)


def test_searches_that_may_be_slow_go_to_the_bulk_lane() -> None:
    from dprkwatch.service.api.routers.yente import QUICK_SEARCH_LIMIT, heavy_search
    from dprkwatch.service.search import Request

    assert not heavy_search(Request(q="Ri Su Yong", limit=5))
    assert not heavy_search(Request(q="Ri Su Yong", limit=QUICK_SEARCH_LIMIT))
    assert heavy_search(Request(q="", limit=5))  # every entity, facets over all of them
    assert heavy_search(Request(q="   ", limit=5))
    assert heavy_search(Request(q="Ri Su Yong", limit=QUICK_SEARCH_LIMIT + 1))
    assert heavy_search(Request(q="Ri Su Yong", fuzzy=True))
