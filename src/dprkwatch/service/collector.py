"""Keeping what a serving process loads once out of the cyclic garbage collector's walks.

With big batches screened off the event loop, ``/readyz`` still waited
300-400 ms at its 99th percentile while the heaviest allowed ``/match``
batch ran on an idle machine. Timing the collector in the serving process
(``gc.callbacks``, CPU time of the collecting thread) showed why: the
matcher freezes its own index when it builds it, but the entity store and
the text index are built after it, and nomenklatura is loaded after that -
about a million objects left in the oldest generation. Every full
collection walked all of them, 290-450 ms of CPU with the real lists,
holding the interpreter (the loop, the quick lane and the audit writer all
stood still), and a big batch allocates enough to set one off every batch
or two. Frozen (``gc.freeze``), they are never walked again; a full
collection then walks only what requests left behind.
"""

from __future__ import annotations

import gc


def keep_out_of_collections() -> None:
    """Freeze every object alive now: call it once something big and long-lived is loaded.

    The young generations are collected first, so that the garbage of the
    requests in flight is not frozen with it. The price: cyclic garbage that
    is already old now, and the cycles of an index once it is replaced, are
    never collected (reference counting still frees everything else).
    """
    gc.collect(1)
    gc.freeze()


# A full collection at most once per this many collections of the middle
# generation (CPython's default is 10).
FULL_EVERY = 100


def collect_rarely() -> None:
    """In a serving process: full collections ten times rarer than CPython's default.

    With the index frozen, a full collection still walks what the requests
    in flight hold - the candidates, records and answers of a big batch -
    and took 40-66 ms of CPU, three to five times in ten of the heaviest
    allowed batches (measured as above): each one a pause of the event
    loop as long as the ``/readyz`` target. At one in 100 middle
    collections none happened in ten such batches, and the young
    collections stayed under 16 ms. Cyclic garbage that has grown old
    waits longer to be freed; the soak benchmark watches the memory.
    """
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_EVERY)
