"""A long mixed load on ``dprkwatch serve``: errors, latency and memory growth over time.

Issue 19's target: a 30-minute soak with 0 errors and a resident-memory
(RSS) growth of at most 5 %. This script starts the service on loopback
(one worker by default) over the real lists from ``../shared/data`` (else
the test fixtures) and sends an open-loop mix for ``--minutes``:

==========================================  ==========
request                                     per second
==========================================  ==========
``GET /healthz``, ``GET /readyz``           1 each
``POST /match/default``, one query          ``--rate`` (default 6)
``POST /match/default``, a batch of 10      0.5
``GET /search/default?q=...``               1
``GET /entities/{id}``                      1
``GET /lists``, ``GET /catalog``            0.5 each
``GET /alerts``                             0.2
==========================================  ==========

Names differ from request to request (half from the lists, perturbed; half
invented), so hits and misses both count and every screening is written to
the audit log as in production. Each request is due at a scheduled moment
and its latency counts from then; any answer that is not a 200 is an error.

Every ``--sample`` seconds it reads the RSS of the server process and its
children from ``/proc``. Growth compares the median of the samples in the
first ``--window`` minutes after the warm-up (``--warmup`` minutes, not
counted) with the median of the last ``--window`` minutes. The load average
is printed beside the figures: the machine may be shared.

    python benchmarks/service_soak.py [--minutes 30] [--rate 6] [--workers 1]
        [--lists FILE ...] [--json out.json] [--markdown]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service_isolation import Client, open_loop, prepared_home, service
from service_load import Phase, print_markdown, query_names, tree_usage

MAX_GROWTH = 0.05


@dataclass
class Stream:
    """One kind of request: pre-built raw requests sent in turn at ``rate`` per second."""

    label: str
    requests: list[bytes]
    rate: float
    post: bool = False
    phase: Phase = field(init=False)

    def __post_init__(self) -> None:
        if not self.requests:
            raise SystemExit(f"{self.label}: nothing to send")
        self.phase = Phase(self.label)


async def sample(
    pid: int, every: float, until: float, out: list[tuple[float, int, float, float]]
) -> None:
    """Every ``every`` seconds: (seconds since start, RSS bytes, server CPU s, 1-min load)."""
    start = time.perf_counter()
    while (now := time.perf_counter()) < until:
        rss, cpu = tree_usage(pid)
        out.append((now - start, rss, cpu, os.getloadavg()[0]))
        if len(out) % max(1, int(60 / every)) == 0:
            print(
                f"{(now - start) / 60:5.1f} min  rss {rss / 2**20:7.1f} MiB  "
                f"server cpu {cpu:8.1f} s  load {out[-1][3]:.2f}",
                file=sys.stderr,
            )
        await asyncio.sleep(every)


def entity_ids(url: str, key: str, names: list[str]) -> list[str]:
    """Ids of listed entities as the service names them (from its own search answers)."""
    found: set[str] = set()
    with httpx.Client(base_url=url, headers={"Authorization": f"ApiKey {key}"}) as client:
        for name in names:
            r = client.get("/search/default", params={"q": name, "limit": 5})
            r.raise_for_status()
            found.update(hit["id"] for hit in r.json()["results"])
    return sorted(found)


def streams(home: Path, key: str, port: int, rate: float, seed: int) -> list[Stream]:
    client = Client("127.0.0.1", port, key)
    singles = [
        orjson.dumps({"queries": {"q": {"schema": schema, "properties": {"name": [name]}}}})
        for schema, name in query_names(home, 3000, seed)
    ]
    rng = random.Random(seed)
    batches = []
    for i in range(200):
        picked = [orjson.loads(singles[(i * 10 + j) % len(singles)]) for j in range(10)]
        queries = {f"q{j}": body["queries"]["q"] for j, body in enumerate(picked)}
        batches.append(orjson.dumps({"queries": queries}))
    names = [orjson.loads(b)["queries"]["q"]["properties"]["name"][0] for b in singles[:500]]
    ids = entity_ids(f"http://127.0.0.1:{port}", key, names[:40])
    rng.shuffle(ids)

    def get(path: str) -> bytes:
        return client.request("GET", path)

    return [
        Stream("GET /healthz", [get("/healthz")], 1.0),
        Stream("GET /readyz", [get("/readyz")], 1.0),
        Stream(
            "POST /match, 1 query",
            [client.request("POST", "/match/default", b) for b in singles],
            rate,
            post=True,
        ),
        Stream(
            "POST /match, 10 queries",
            [client.request("POST", "/match/default", b) for b in batches],
            0.5,
            post=True,
        ),
        Stream("GET /search", [get(f"/search/default?q={quote(n)}") for n in names], 1.0),
        Stream("GET /entities/{id}", [get(f"/entities/{quote(i, safe='')}") for i in ids], 1.0),
        Stream("GET /lists", [get("/lists")], 0.5),
        Stream("GET /catalog", [get("/catalog")], 0.5),
        Stream("GET /alerts", [get("/alerts")], 0.2),
    ]


def growth(
    samples: list[tuple[float, int, float, float]], warmup: float, window: float
) -> dict[str, Any]:
    first = [rss for t, rss, _c, _l in samples if warmup <= t < warmup + window]
    end = samples[-1][0] if samples else 0.0
    last = [rss for t, rss, _c, _l in samples if t >= end - window]
    if not first or not last:
        raise SystemExit("too few memory samples: run longer than the warm-up and two windows")
    before, after = statistics.median(first), statistics.median(last)
    return {
        "rss_first_mib": round(before / 2**20, 1),
        "rss_last_mib": round(after / 2**20, 1),
        "rss_max_mib": round(max(s[1] for s in samples) / 2**20, 1),
        "growth_pct": round((after - before) / before * 100, 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--rate", type=float, default=6.0, help="single-query /match per second")
    ap.add_argument("--warmup", type=float, default=2.0, help="minutes not counted for memory")
    ap.add_argument("--window", type=float, default=3.0, help="minutes compared at each end")
    ap.add_argument("--sample", type=float, default=5.0, help="seconds between RSS samples")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--home", type=Path, help="a data directory with the lists already imported")
    ap.add_argument("--lists", nargs="*", help="list files to import (default: the real lists)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    if args.minutes * 60 < (args.warmup + 2 * args.window) * 60:
        raise SystemExit("--minutes must cover the warm-up and two windows")

    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="dprkwatch-soak-home-"))
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        served = cleanup.enter_context(service(args, prepared_home(args, workdir), {}))
        port = int(served.url.rsplit(":", 1)[1])
        with httpx.Client(
            base_url=served.url, headers={"Authorization": f"ApiKey {served.admin}"}
        ) as admin:
            r = admin.post("/keys", json={"name": "soak", "roles": ["screen", "review"]})
            r.raise_for_status()
            key = r.json()["key"]
        mix = streams(served.home, key, port, args.rate, args.seed)
        samples: list[tuple[float, int, float, float]] = []

        async def everything() -> None:
            until = time.perf_counter() + args.minutes * 60
            await asyncio.gather(
                sample(served.pid, args.sample, until, samples),
                *(
                    open_loop("127.0.0.1", port, s.requests, s.post, s.phase, s.rate, until, 4)
                    for s in mix
                ),
            )

        t0 = time.perf_counter()
        asyncio.run(everything())
        elapsed = time.perf_counter() - t0
    rows = [s.phase.summary() for s in mix]
    memory = growth(samples, args.warmup * 60, args.window * 60)
    errors = sum(r["errors"] for r in rows)
    requests = sum(r["requests"] for r in rows)
    targets = {
        "0 errors": errors == 0,
        f"RSS growth <= {MAX_GROWTH:.0%}": memory["growth_pct"] <= MAX_GROWTH * 100,
    }
    report = {
        "conditions": {
            "cpus": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "workers": args.workers,
            "minutes": round(elapsed / 60, 2),
            "python": sys.version.split()[0],
        },
        "requests": requests,
        "errors": errors,
        "memory": memory,
        "server_cpu_s": round(samples[-1][2] - samples[0][2], 1) if samples else None,
        "loadavg_median": round(statistics.median(s[3] for s in samples), 2) if samples else None,
        "rss_samples_mib": [(round(t), round(rss / 2**20, 1)) for t, rss, _c, _l in samples],
        "phases": rows,
        "targets": targets,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    if args.markdown:
        c = report["conditions"]
        print(f"{c['minutes']} min, {args.workers} worker(s); load average before "
              f"{c['loadavg_before']}, after {c['loadavg_after']}")  # fmt: skip
        print(f"- {requests} requests, {errors} errors; server CPU {report['server_cpu_s']} s "
              f"(user + system, whole process tree); median 1-min load {report['loadavg_median']}")  # fmt: skip
        print(f"- RSS {memory['rss_first_mib']} MiB after warm-up, {memory['rss_last_mib']} MiB "
              f"at the end (max {memory['rss_max_mib']}): {memory['growth_pct']:+.2f} %")  # fmt: skip
        print_markdown(rows, ["requests", "errors", "p50_ms", "p99_ms", "max_ms"])
        for name, met in targets.items():
            print(f"- {name}: {'met' if met else 'NOT met'}")
    else:
        print(json.dumps({k: v for k, v in report.items() if k != "rss_samples_mib"}, indent=2))
    if requests == 0 or any(r["ok"] == 0 for r in rows):
        print("a kind of request got no answer at all", file=sys.stderr)
        return 1
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
