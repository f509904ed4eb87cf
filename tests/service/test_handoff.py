"""The loop-to-thread hand-off (service.handoff) and the per-key turns of the lanes."""

from __future__ import annotations

import asyncio
import threading

import pytest

from dprkwatch.service.api.lanes import Lanes
from dprkwatch.service.exceptions import TooManyRequests
from dprkwatch.service.handoff import LoopThreads


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


def test_a_key_beyond_its_turns_waits_in_line_then_gets_429() -> None:
    lanes = Lanes(threads=1, per_key=1, queue=1)

    async def main() -> list[str]:
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

    try:
        assert asyncio.run(main()) == ["first", "second"]
        assert lanes.load("k") == (0, 0)
    finally:
        lanes.close()


def test_a_request_cancelled_while_waiting_gives_up_its_place() -> None:
    lanes = Lanes(threads=1, per_key=1, queue=2)

    async def main() -> tuple[int, int]:
        await lanes.acquire("k")
        waiter = asyncio.ensure_future(lanes.acquire("k"))
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        seen = lanes.load("k")
        lanes.release("k")
        return seen

    try:
        assert asyncio.run(main()) == (1, 0)
        assert lanes.load("k") == (0, 0)
    finally:
        lanes.close()


def test_a_turn_handed_to_a_request_that_was_cancelled_is_passed_on() -> None:
    lanes = Lanes(threads=1, per_key=1, queue=2)

    async def main() -> tuple[int, int]:
        await lanes.acquire("k")
        waiter = asyncio.ensure_future(lanes.acquire("k"))
        await asyncio.sleep(0)
        lanes.release("k")  # hands the turn to the waiter ...
        waiter.cancel()  # ... which is cancelled before it resumes
        with pytest.raises(asyncio.CancelledError):
            await waiter
        return lanes.load("k")

    try:
        assert asyncio.run(main()) == (0, 0)
    finally:
        lanes.close()
