"""F1: ``POST /match`` screened on the event loop; one big batch froze the worker for 25 s
and ``/readyz`` waited behind it.

Screening now runs on threads in two lanes, a batch may hold at most
``DPRKWATCH_MAX_NAME_VALUES`` name values, and a key over its share of
concurrent screenings gets 429 with ``Retry-After``. The probes below make
screening deliberately slow (CPU-bound, as the real thing is) for queries
named ``HEAVY...``, and check who answers while such a batch runs; the
latency targets themselves are measured by ``benchmarks/service_isolation.py``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest

from dprkwatch.settings import Settings
from tests.security.conftest import Guarded
from tests.security.factory import wait_for
from tests.service.factory import OFAC_V1, UN, LiveService, import_lists, live_service

BURN_SECONDS = 0.4


class SlowHeavyScreener:
    """The served screener, but queries whose first name starts with HEAVY cost 0.4 s of CPU.

    A wrapper rather than a patched method: the compiled ``Screener`` (a
    native class) does not take new instance attributes.
    """

    def __init__(self, real: Any) -> None:
        self.real = real
        self.started = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def screen(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        if query.names and query.names[0].startswith("HEAVY"):
            self.started.set()
            end = time.perf_counter() + BURN_SECONDS
            while time.perf_counter() < end:  # hold the interpreter, like scoring does
                pass
        return self.real.screen(query, *args, **kwargs)


def slow_heavy_queries(service: LiveService) -> threading.Event:
    """Serve through :class:`SlowHeavyScreener`; returns its 'started' event."""
    loaded = service.state.index.current()
    slow = SlowHeavyScreener(loaded.screener)
    loaded.screener = slow  # type: ignore[assignment]
    return slow.started


def batch(n: int, names_each: int = 1, prefix: str = "HEAVY") -> dict[str, Any]:
    return {
        "queries": {
            f"q{i}": {
                "schema": "Person",
                "properties": {"name": [f"{prefix} Kim {i} {j}" for j in range(names_each)]},
            }
            for i in range(n)
        }
    }


@contextmanager
def batch_in_flight(
    started: threading.Event, send: Callable[[], httpx.Response]
) -> Iterator[dict[str, Any]]:
    """Send a batch on a thread and yield once it screens; its answer and end time land in the dict."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        outcome["batch"] = send()
        outcome["batch_done"] = time.monotonic()

    sender = threading.Thread(target=run)
    sender.start()
    try:
        assert started.wait(60), "the batch never started screening"
        yield outcome
    finally:
        sender.join(120)


@pytest.fixture
def probe(guarded: Guarded) -> Iterator[tuple[LiveService, threading.Event]]:
    yield guarded.service, slow_heavy_queries(guarded.service)


def test_probes_and_small_queries_answer_while_a_big_batch_screens(
    probe: tuple[LiveService, threading.Event],
) -> None:
    svc, started = probe
    heavy_key, light_key = svc.key("screen", name="bulk"), svc.key("screen", name="teller")

    def send_batch() -> httpx.Response:
        with svc.client(heavy_key) as c:
            return c.post("/match/default", json=batch(8), timeout=120)

    with batch_in_flight(started, send_batch) as outcome:
        ready = svc.anon.get("/readyz", timeout=60)
        ready_at = time.monotonic()
        with svc.client(light_key) as c:
            single = svc.match(c, name="Ri Su Yong")
        single_at = time.monotonic()
    assert ready.status_code == 200 and single.status_code == 200, (ready.text, single.text)
    assert outcome["batch"].status_code == 200, outcome["batch"].text
    # Both answered while the batch (8 x 0.4 s of CPU) was still screening.
    assert ready_at < outcome["batch_done"] and single_at < outcome["batch_done"]


def test_a_reconciliation_batch_screens_off_the_loop_too(
    probe: tuple[LiveService, threading.Event],
) -> None:
    """``POST /reconcile`` screens like ``/match`` (OpenRefine sends batches of up to 100)."""
    svc, started = probe
    key = svc.key("screen", name="refine")
    queries = {f"q{i}": {"query": f"HEAVY Kim {i}", "type": "Person"} for i in range(8)}

    def send_batch() -> httpx.Response:
        with svc.client(key) as c:
            return c.post("/reconcile/default", data={"queries": json.dumps(queries)}, timeout=120)

    with batch_in_flight(started, send_batch) as outcome:
        ready = svc.anon.get("/readyz", timeout=60)
        ready_at = time.monotonic()
    assert ready.status_code == 200, ready.text
    assert outcome["batch"].status_code == 200, outcome["batch"].text
    assert set(outcome["batch"].json()) == set(queries)
    assert ready_at < outcome["batch_done"]


def test_a_reconciliation_batch_over_the_name_cap_is_refused(guarded: Guarded) -> None:
    svc = guarded.service
    c = svc.client(svc.key("screen"))
    queries = {
        f"q{i}": {
            "query": f"Kim {i}",
            "properties": [{"pid": "alias", "v": [f"Kim {i} {j}" for j in range(9)]}],
        }
        for i in range(100)
    }
    r = c.post("/reconcile/default", data={"queries": json.dumps(queries)}, timeout=60)
    assert r.status_code == 400, r.text[:200]
    assert "1,000 name values" in r.json()["detail"]


def test_a_batch_over_the_name_cap_is_refused_whole(guarded: Guarded) -> None:
    svc = guarded.service
    c = svc.client(svc.key("screen"))
    # F1's batch: 100 queries x 4 name properties x 50 values.
    big = {
        "queries": {
            f"q{i}": {
                "schema": "Person",
                "properties": {
                    p: [f"Kim {i} {p} {j}" for j in range(50)]
                    for p in ("name", "alias", "weakAlias", "previousName")
                },
            }
            for i in range(100)
        }
    }
    r = c.post("/match/default", json=big, timeout=60)
    assert r.status_code == 400, r.text[:200]
    assert "20,000 name values" in r.json()["detail"]
    assert "DPRKWATCH_MAX_NAME_VALUES" in r.json()["detail"]
    assert svc.match(c, name="Ri Su Yong").status_code == 200


@pytest.fixture
def narrow(guarded_settings: Settings) -> Iterator[tuple[LiveService, threading.Event]]:
    """A service allowing one screening and one waiting request per key."""
    settings = replace(guarded_settings, key_concurrency=1, key_queue=1)
    import_lists(settings.home, OFAC_V1, UN)
    with live_service(settings) as svc:
        yield svc, slow_heavy_queries(svc)


def test_a_key_over_its_share_gets_429_with_retry_after(
    narrow: tuple[LiveService, threading.Event],
) -> None:
    svc, started = narrow
    busy, other = svc.key("screen", name="busy"), svc.key("screen", name="other")
    answers: list[httpx.Response] = []

    def send() -> None:
        with svc.client(busy) as c:
            answers.append(c.post("/match/default", json=batch(3), timeout=120))

    senders = [threading.Thread(target=send) for _ in range(2)]
    for t in senders:
        t.start()
    try:
        assert started.wait(60)
        # Wait until the second request is queued behind the first.
        busy_id = busy.split("_")[1]
        assert wait_for(lambda: svc.state.lanes.load(busy_id) == (1, 1), 60)
        with svc.client(busy) as c:
            refused = c.post("/match/default", json=batch(1), timeout=60)
        with svc.client(other) as c:
            served = svc.match(c, name="Ri Su Yong")
    finally:
        for t in senders:
            t.join(120)
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1
    assert served.status_code == 200
    assert [a.status_code for a in answers] == [200, 200]
