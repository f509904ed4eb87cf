"""The read-ahead thread hands over items in order, raises the producer's errors, and stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from dprkwatch.maritime.readahead import ahead


def test_items_arrive_in_order() -> None:
    assert list(ahead(iter(range(50)), depth=2)) == list(range(50))


def test_a_producer_error_reaches_the_consumer() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise ValueError("day 2 unreadable")

    got = []
    with pytest.raises(ValueError, match="day 2 unreadable"):
        for item in ahead(items()):
            got.append(item)
    assert got == [1]


def test_a_consumer_that_stops_early_stops_the_producer() -> None:
    produced = []

    def items() -> Iterator[int]:
        for i in range(1000):
            produced.append(i)
            yield i

    before = threading.active_count()
    with pytest.raises(RuntimeError):
        for item in ahead(items()):
            if item == 3:
                raise RuntimeError("engine failed")
    assert threading.active_count() == before  # the worker was joined, not left blocked
    assert len(produced) < 10


def test_a_consumer_failing_after_the_last_item_does_not_hang() -> None:
    # The producer has put the last item and waits to hand over its end marker
    # while the consumer fails on the item before: the worker must still be joined.
    def run() -> None:
        with pytest.raises(RuntimeError):
            for _item in ahead(iter([1, 2]), depth=1):
                time.sleep(0.3)  # the producer fills the queue and reaches the end marker
                raise RuntimeError("late failure")

    consumer = threading.Thread(target=run, daemon=True)
    consumer.start()
    consumer.join(timeout=10)
    assert not consumer.is_alive()
