"""F1, the isolation tail: big batches are scored in a process of their own.

A big batch screened on a thread of the serving process held the
interpreter for most of the time and slowed ``/readyz`` and single
screenings (their tail latency is measured by
``benchmarks/service_isolation.py``). The bulk lane now sends each query of
a big batch to a separate process. These tests check that it answers the
same as the serving process, that its death costs a clear 503 and nothing
else, and that a list activation reaches it.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import orjson
import pytest

from dprkwatch.service.bulk import BulkWorker
from dprkwatch.settings import Settings
from tests.security.factory import alive, wait_for
from tests.service.factory import OFAC_V1, OFAC_V2, UN, LiveService, import_lists, live_service

SPAWN_SECONDS = 120  # a fresh interpreter loading the lists, on a busy machine


@pytest.fixture
def bulk(guarded_settings: Settings) -> Iterator[LiveService]:
    import_lists(guarded_settings.home, OFAC_V1, UN)
    with live_service(guarded_settings) as svc:
        yield svc


def worker_of(svc: LiveService) -> BulkWorker:
    worker = svc.state.lanes.worker
    assert worker is not None, "DPRKWATCH_BULK_PROCESS is on by default"
    assert isinstance(worker, BulkWorker)
    return worker


def listed_names(svc: LiveService) -> list[str]:
    records = svc.state.index.current().screener.index.records
    names = sorted({r.caption for r in records})
    assert len(names) >= 4, names
    return names


def big_batch(names: list[str], n: int = 30) -> dict[str, Any]:
    """More than 20 queries: the bulk lane's work. Listed names (hits) and invented ones."""
    queries = {}
    for i in range(n):
        name = names[i % len(names)] if i % 2 == 0 else f"Pak Invented {i}"
        queries[f"q{i}"] = {"schema": "Thing", "properties": {"name": [name]}}
    return {"queries": queries}


def hits(answer: dict[str, Any]) -> dict[str, list[tuple[str, float, bool]]]:
    return {
        key: [(r["id"], round(r["score"], 9), r["match"]) for r in response["results"]]
        for key, response in answer["responses"].items()
    }


def screenings(svc: LiveService) -> int:
    with httpx.Client(base_url=svc.base_url, headers=svc.admin.headers, timeout=120) as admin:
        r = admin.get("/audit/export", params={"format": "jsonl", "kind": "screening"})
    assert r.status_code == 200, r.text
    return len([line for line in r.text.splitlines() if line.strip()])


def ready(svc: LiveService) -> bool:
    return worker_of(svc).ready_for(svc.state.index.current().versions)


def test_a_big_batch_gets_the_same_hits_from_the_bulk_process(bulk: LiveService) -> None:
    svc = bulk
    worker = worker_of(svc)
    c = svc.client(svc.key("screen"))
    body = big_batch(listed_names(svc))
    assert svc.anon.get("/readyz").json()["bulk_process"] == "idle"
    # The first big batch starts the process; meanwhile the bulk lane's thread screens it.
    first = c.post("/match/default", json=body, timeout=120)
    assert first.status_code == 200, first.text[:300]
    assert worker.screened == 0
    assert wait_for(lambda: ready(svc), SPAWN_SECONDS), "the bulk process never loaded the lists"
    assert svc.anon.get("/readyz").json()["bulk_process"] == "ready"
    before = worker.screened
    second = c.post("/match/default", json=body, timeout=120)
    assert second.status_code == 200, second.text[:300]
    assert worker.screened - before == len(body["queries"])
    assert worker.pid is not None and worker.pid != os.getpid()
    expected, got = hits(first.json()), hits(second.json())
    assert got == expected
    assert sum(len(v) for v in got.values()) >= len(body["queries"]) // 2  # hits, not all empty
    # Each screening is recorded once, whichever process scored it.
    assert screenings(svc) == 2 * len(body["queries"])


def test_a_reconciliation_batch_uses_the_bulk_process_too(bulk: LiveService) -> None:
    svc = bulk
    worker = worker_of(svc)
    c = svc.client(svc.key("screen"))
    names = listed_names(svc)
    queries = {f"q{i}": {"query": names[i % len(names)]} for i in range(25)}
    form = {"queries": orjson.dumps(queries).decode()}
    first = c.post("/reconcile/default", data=form, timeout=120)
    assert first.status_code == 200, first.text[:300]
    assert wait_for(lambda: ready(svc), SPAWN_SECONDS)
    before = worker.screened
    second = c.post("/reconcile/default", data=form, timeout=120)
    assert second.status_code == 200, second.text[:300]
    assert worker.screened - before == len(queries)
    assert second.json() == first.json()


def test_the_bulk_process_dying_gives_503_loses_nothing_and_it_restarts(
    bulk: LiveService,
) -> None:
    svc = bulk
    worker = worker_of(svc)
    c = svc.client(svc.key("screen"))
    names = listed_names(svc)
    body = big_batch(names)
    assert c.post("/match/default", json=body, timeout=120).status_code == 200
    assert wait_for(lambda: ready(svc), SPAWN_SECONDS)
    recorded = screenings(svc)
    # nomenklatura's algorithm: the fresh process imports nomenklatura at its first query,
    # which takes seconds, so the request is certainly in its hands when it is killed.
    slow = {"queries": {f"q{i}": body["queries"][f"q{i}"] for i in range(5)}}
    outcome: dict[str, httpx.Response] = {}

    def send() -> None:
        with svc.client(svc.key("screen", name="victim")) as victim:
            outcome["r"] = victim.post(
                "/match/default", params={"algorithm": "logic-v1"}, json=slow, timeout=300
            )

    sender = threading.Thread(target=send)
    sender.start()
    try:
        assert wait_for(lambda: worker.busy > 0, 120), "the batch never reached the bulk process"
        pid = worker.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
    finally:
        sender.join(300)
    r = outcome["r"]
    assert r.status_code == 503, r.text[:300]
    assert "stopped" in r.json()["detail"] and "retry" in r.json()["detail"]
    assert screenings(svc) == recorded  # none of the batch was recorded (nor answered)
    # It is started again and screens again; the service answered throughout.
    assert wait_for(lambda: ready(svc) and worker.pid not in (None, pid), SPAWN_SECONDS)
    assert worker.restarts == 1
    before = worker.screened
    again = c.post("/match/default", json=body, timeout=120)
    assert again.status_code == 200, again.text[:300]
    assert worker.screened - before == len(body["queries"])
    assert screenings(svc) == recorded + len(body["queries"])


def test_a_list_activation_reaches_the_bulk_process(bulk: LiveService) -> None:
    svc = bulk
    worker = worker_of(svc)
    c = svc.client(svc.key("screen"))
    body = big_batch(listed_names(svc))
    body["queries"]["new"] = {"schema": "Person", "properties": {"name": ["JONG, Kyong Hui"]}}
    assert c.post("/match/default", json=body, timeout=120).status_code == 200
    assert wait_for(lambda: ready(svc), SPAWN_SECONDS)
    old = dict(svc.state.index.current().versions)
    import_lists(svc.state.settings.home, OFAC_V2)  # activates the March OFAC list
    assert wait_for(lambda: svc.state.index.current().versions != old, 60)
    assert wait_for(lambda: ready(svc), SPAWN_SECONDS), "the process kept the old lists"
    before = worker.screened
    r = c.post("/match/default", json=body, timeout=120)
    assert r.status_code == 200, r.text[:300]
    assert worker.screened - before == len(body["queries"])
    answer = r.json()
    assert answer["versions"]["ofac"] == svc.state.index.current().versions["ofac"]
    assert answer["versions"]["ofac"] != old["ofac"]
    assert [x for x in answer["responses"]["new"]["results"] if x["match"]], "new entry unseen"


def test_a_bulk_process_killed_while_idle_costs_no_request(bulk: LiveService) -> None:
    """Nothing was in its hands: the next batch is screened on the thread, then by a new one."""
    svc = bulk
    worker = worker_of(svc)
    c = svc.client(svc.key("screen"))
    body = big_batch(listed_names(svc))
    assert c.post("/match/default", json=body, timeout=120).status_code == 200
    assert wait_for(lambda: ready(svc), SPAWN_SECONDS)
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: not alive(pid), 30)
    r = c.post("/match/default", json=body, timeout=120)
    assert r.status_code == 200, r.text[:300]
    assert wait_for(lambda: ready(svc) and worker.pid not in (None, pid), SPAWN_SECONDS)
    before = worker.screened
    assert c.post("/match/default", json=body, timeout=120).status_code == 200
    assert worker.screened - before == len(body["queries"])


def test_with_the_setting_off_big_batches_stay_on_the_thread(guarded_settings: Settings) -> None:
    settings = replace(guarded_settings, bulk_process=False)
    import_lists(settings.home, OFAC_V1, UN)
    with live_service(settings) as svc:
        assert svc.state.lanes.worker is None
        c = svc.client(svc.key("screen"))
        r = c.post("/match/default", json=big_batch(listed_names(svc)), timeout=120)
        assert r.status_code == 200, r.text[:300]
        assert svc.anon.get("/readyz").json()["bulk_process"] == "off"
