"""F1, the tail that remained: full garbage collections walked the whole served index.

With the batch off the event loop, ``/readyz`` still waited 300-400 ms at
its 99th percentile while the heaviest batch ran (idle machine). Timing the
collector in the serving process showed why: every full collection walked
the entity store and the text index (about a million objects with the real
lists) for 300-450 ms of CPU, holding the interpreter, and a big batch
allocates enough to set one off every few batches. The index a service
loads is now frozen out of the collector's reach (``gc.freeze``); these
tests check that the containers that make up its bulk are no longer walked,
and that a serving process runs full collections ten times less often (what
requests in flight hold made each one a 40-66 ms pause).
"""

from __future__ import annotations

import gc
from typing import Any

import pytest

from dprkwatch.service.api import server
from dprkwatch.service.collector import FULL_EVERY
from dprkwatch.settings import Settings
from tests.security.conftest import Guarded


def walked(objects: list[Any]) -> list[int]:
    """Positions of ``objects`` that the cyclic collector still walks (any generation)."""
    tracked = {id(o) for o in gc.get_objects()}
    return [i for i, o in enumerate(objects) if id(o) in tracked]


def test_the_served_index_is_out_of_the_collectors_reach(guarded: Guarded) -> None:
    loaded = guarded.service.state.index.current()
    # Lists, and a dict of objects: containers the collector tracks (a dict of
    # strings and numbers it stops tracking by itself).
    bulk = [loaded.entities.meta, loaded.entities.order, loaded.search.ids, loaded.search.captions]
    assert all(gc.is_tracked(o) for o in bulk)
    assert walked(bulk) == []


def test_an_index_loaded_again_is_frozen_too(guarded: Guarded) -> None:
    index = guarded.service.state.index
    first = index.current()
    again = index.load()
    assert again is not first and again.generation > first.generation
    assert walked([again.entities.meta, again.entities.order, again.search.ids]) == []


def test_a_serving_process_collects_the_oldest_generation_rarely(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[object] = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **_: ran.append(app))
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        server.serve(settings)
        assert ran, "serve() hands the app to uvicorn"
        assert gc.get_threshold()[2] == FULL_EVERY > 10
    finally:
        gc.set_threshold(*before)
