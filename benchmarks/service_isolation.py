"""Probes and small queries while the heaviest allowed ``/match`` batch runs.

The targets (issue 19): while a worst-case *allowed* ``POST /match`` batch is
being screened, ``/readyz`` answers with a p99 of at most 50 ms and a
single-query ``/match`` with a p99 of at most 100 ms. This script

1. starts ``dprkwatch serve`` on loopback (one worker by default: the batch,
   the probes and the small queries all land on the same process, the hard
   case) over the real lists from ``../shared/data`` (else the fixtures), or
   reuses a prepared data directory (``--home``);
2. finds the heaviest batch the service accepts: several shapes that each
   hold exactly ``DPRKWATCH_MAX_NAME_VALUES`` name values (100 queries of 5
   names; 10 of 50; 2 of 200 and one of 100), each timed alone, the slowest
   kept;
3. runs two phases of ``--duration`` seconds: **baseline** (probes only) and
   **under load** (one connection sends that batch back to back while the
   probes run). The probes are open-loop: ``/readyz``, ``/healthz`` and a
   single-query ``/match`` are each *scheduled* at ``--rate`` per second and
   their latency counts from the scheduled moment, so a stalled server
   cannot hide its queue.

Every answer must be a 200 (a batch or query with its ``responses``), else it
counts as an error; no answers at all is a failure. The load average is
printed beside the figures: the machine may be shared.

    python benchmarks/service_isolation.py [--duration 30] [--rate 20] [--workers 1]
        [--home DIR] [--lists FILE ...] [--json out.json] [--markdown]

Point ``PYTHONPATH`` at another checkout's ``src`` to measure that code the
same way (the paired before/after figures in docs/service.md were taken so).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service_load import (
    Phase,
    default_lists,
    print_markdown,
    server_env,
    serving,
    tree_usage,
)

NAME_PROPS = ("name", "alias", "weakAlias", "previousName")


class Client:
    """One keep-alive HTTP/1.1 connection sending pre-built requests (GET or POST).

    A connection idle for ``IDLE_S`` is replaced before it is used again, as
    client pools do: the server closes idle connections after 5 s (uvicorn's
    keep-alive), and a request written into a closing one would be lost.
    """

    IDLE_S = 3.0

    def __init__(self, host: str, port: int, key: str | None) -> None:
        self.host, self.port, self.key = host, port, key
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0

    def request(self, method: str, path: str, body: bytes = b"") -> bytes:
        auth = f"Authorization: ApiKey {self.key}\r\n" if self.key else ""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{auth}"
        if method == "POST":
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        return (head + "\r\n").encode() + body

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is not None and time.perf_counter() - self.last_used > self.IDLE_S:
            await self.close()
        self.last_used = time.perf_counter()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            lname = name.strip().lower()
            if lname == b"content-length":
                length = int(value)
            elif lname == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if not chunked:
            return status, await self.reader.readexactly(length) if length else b""
        parts = []  # a streamed answer: chunks of "<hex size>\r\n<data>\r\n" up to size 0
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)
        await self.reader.readuntil(b"\r\n")
        return status, b"".join(parts)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def listed_names(home: Path, count: int) -> list[str]:
    """Names of listed people and companies (hits make a batch heavier than misses)."""
    from dprkwatch.lists import SnapshotStore

    names: list[str] = []
    for snap in SnapshotStore(home).active().values():
        for data in snap.iter_dicts():
            if data.get("schema") in ("Person", "Organization", "Company", "LegalEntity"):
                names.extend(data.get("properties", {}).get("name", [])[:1])
            if len(names) >= count * 4:
                break
    if not names:
        raise SystemExit("the data directory has no listed names: nothing to measure against")
    return names[::4][:count] if len(names) >= count * 4 else names[:count]


def batch_shapes(names: list[str], cap: int) -> dict[str, bytes]:
    """Batches that each hold exactly ``cap`` name values, in different shapes."""
    pool = itertools.cycle(names)

    def query(props: dict[str, int]) -> dict[str, Any]:
        return {
            "schema": "Person",
            "properties": {p: [next(pool) for _ in range(n)] for p, n in props.items()},
        }

    shapes: dict[str, dict[str, Any]] = {}
    per = cap // 100
    shapes[f"100 queries x {per} names"] = {
        f"q{i}": query({"name": 1, "alias": per - 1}) for i in range(100)
    }
    shapes[f"{cap // 50} queries x 50 names"] = {
        f"q{i}": query({"name": 50}) for i in range(cap // 50)
    }
    full, rest = divmod(cap, 200)
    big = {f"q{i}": query(dict.fromkeys(NAME_PROPS, 50)) for i in range(full)}
    if rest:
        big["rest"] = query({"name": min(50, rest), "alias": max(0, rest - 50)})
    shapes[f"{full} queries x 200 names + {rest}"] = big
    out = {}
    for label, queries in shapes.items():
        total = sum(len(v) for q in queries.values() for v in q["properties"].values())
        assert total == cap, (label, total)
        out[label] = orjson.dumps({"queries": queries})
    return out


@dataclass(frozen=True)
class Served:
    """A service this script started: its address, admin key, data directory and process."""

    url: str
    admin: str
    home: Path
    pid: int


@contextlib.contextmanager
def service(args: argparse.Namespace) -> Iterator[Served]:
    """Serve a data directory with the lists (``args.home``, else ``args.lists`` imported)."""
    workdir = Path(tempfile.mkdtemp(prefix="dprkwatch-isolation-"))
    if args.home:
        home = args.home
    else:
        from dprkwatch.lists import SnapshotStore, import_paths

        home = workdir / "home"
        store = SnapshotStore(home)
        for path in [Path(p) for p in args.lists] if args.lists else default_lists():
            import_paths(store, [path])
    env = {**server_env(None), "DPRKWATCH_DATABASE_URL": f"sqlite:///{workdir / 'service.sqlite3'}"}
    try:
        with serving(home, workdir, args.workers, env) as (url, admin, pid):
            yield Served(url, admin, home, pid)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def new_key(url: str, admin: str, name: str) -> str:
    with httpx.Client(base_url=url, headers={"Authorization": f"ApiKey {admin}"}) as c:
        r = c.post("/keys", json={"name": name, "roles": ["screen"]})
        r.raise_for_status()
        return str(r.json()["key"])


def ok(status: int, payload: bytes, post: bool) -> str | None:
    if status != 200:
        return f"http {status}"
    if post and b'"responses"' not in payload:
        return "no responses in body"
    return None


async def probe(
    host: str, port: int, key: str | None, method: str, path: str, body: bytes,
    phase: Phase, rate: float, until: float, connections: int,
) -> None:  # fmt: skip
    """One request, sent open-loop at ``rate`` per second (see :func:`open_loop`)."""
    raw = Client(host, port, key).request(method, path, body)
    await open_loop(host, port, [raw], method == "POST", phase, rate, until, connections)


async def open_loop(
    host: str, port: int, requests: list[bytes], post: bool, phase: Phase, rate: float,
    until: float, connections: int,
) -> None:  # fmt: skip
    """Open loop: request i (``requests[i % len]``) is due at start + i/rate and is sent on a
    free connection of a small pool; its latency counts from the due moment, so
    server-side queueing shows."""
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()

    async def worker() -> None:
        client = Client(host, port, None)
        while (item := await queue.get()) is not None:
            due, raw = item
            try:
                status, payload = await client.send(raw)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                phase.error(type(exc).__name__)
                await client.close()
                continue
            problem = ok(status, payload, post)
            if problem:
                phase.error(problem)
            else:
                phase.latencies.append(time.perf_counter() - due)
        await client.close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    phase.started = start = time.perf_counter()
    i = 0
    while (due := start + i / rate) < until:
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((due, requests[i % len(requests)]))
        i += 1
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    phase.finished = time.perf_counter()


async def heavy_loop(client: Client, raw: bytes, phase: Phase, until: float) -> None:
    while time.perf_counter() < until:
        t0 = time.perf_counter()
        status, payload = await client.send(raw)
        problem = ok(status, payload, True)
        if problem:
            phase.error(problem)
        else:
            phase.latencies.append(time.perf_counter() - t0)


async def run_phase(
    host: str, port: int, key: str, bulk_key: str, single: bytes, heavy: bytes | None,
    rate: float, duration: float, label: str,
) -> dict[str, Phase]:  # fmt: skip
    phases = {
        "/readyz": Phase(f"{label}: GET /readyz"),
        "/healthz": Phase(f"{label}: GET /healthz"),
        "/match 1 query": Phase(f"{label}: POST /match, 1 query"),
    }
    heavy_phase = Phase(f"{label}: POST /match, heaviest allowed batch")
    bulk = Client(host, port, bulk_key)
    tasks = []
    start = time.perf_counter()
    until = start + duration
    if heavy is not None:
        raw = bulk.request("POST", "/match/default?limit=50", heavy)
        tasks.append(heavy_loop(bulk, raw, heavy_phase, until))
        await asyncio.sleep(0.5)  # the first batch is screening before the probes begin
    n = 4
    tasks += [
        probe(host, port, None, "GET", "/readyz", b"", phases["/readyz"], rate, until, n),
        probe(host, port, None, "GET", "/healthz", b"", phases["/healthz"], rate, until, n),
        probe(host, port, key, "POST", "/match/default", single, phases["/match 1 query"],
              rate, until, n),
    ]  # fmt: skip
    for p in [*phases.values(), heavy_phase]:
        p.started = time.perf_counter()
    await asyncio.gather(*tasks)
    for p in [*phases.values(), heavy_phase]:
        p.finished = time.perf_counter()
    await bulk.close()
    if heavy is not None:
        phases["batch"] = heavy_phase
    return phases


async def time_alone(host: str, port: int, key: str, body: bytes, runs: int) -> float:
    client = Client(host, port, key)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        status, payload = await client.send(client.request("POST", "/match/default?limit=50", body))
        if ok(status, payload, True):
            raise SystemExit(f"the batch was refused: {status} {payload[:300]!r}")
        times.append(time.perf_counter() - t0)
    await client.close()
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    ap.add_argument("--rate", type=float, default=20.0, help="requests/s of each probe")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--names", type=int, default=500, help="DPRKWATCH_MAX_NAME_VALUES in force")
    ap.add_argument("--home", type=Path, help="a data directory with the lists already imported")
    ap.add_argument("--lists", nargs="*", help="list files to import (default: the real lists)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()

    load_before = os.getloadavg()
    with service(args) as served:
        url, admin, home = served.url, served.admin, served.home
        host, port = "127.0.0.1", int(url.rsplit(":", 1)[1])
        key, bulk_key = new_key(url, admin, "teller"), new_key(url, admin, "bulk")
        names = listed_names(home, 600)
        shapes = batch_shapes(names, args.names)
        usage: dict[str, dict[str, float]] = {}
        single = orjson.dumps(
            {"queries": {"q": {"schema": "Person", "properties": {"name": ["Ri Su Yong"]}}}}
        )

        async def everything() -> tuple[dict[str, float], dict[str, dict[str, Phase]]]:
            alone = {
                label: await time_alone(host, port, bulk_key, body, 3)
                for label, body in shapes.items()
            }
            heaviest = max(alone, key=lambda k: alone[k])
            results = {}
            for label, heavy in (("baseline", None), ("under load", shapes[heaviest])):
                cpu_before = tree_usage(served.pid)[1]
                results[label] = await run_phase(
                    host, port, key, bulk_key, single, heavy, args.rate, args.duration, label
                )
                usage[label] = {
                    "server_cpu_s": round(tree_usage(served.pid)[1] - cpu_before, 2),
                    "loadavg_1min_after": round(os.getloadavg()[0], 2),
                }
            return alone, results

        alone, results = asyncio.run(everything())
    heaviest = max(alone, key=lambda k: alone[k])
    rows = [p.summary() for phases in results.values() for p in phases.values()]
    under = {k: p.summary() for k, p in results["under load"].items()}
    targets = {
        "readyz p99 <= 50 ms under load": under["/readyz"]["p99_ms"] <= 50,
        "single-query /match p99 <= 100 ms under load": under["/match 1 query"]["p99_ms"] <= 100,
    }
    conditions = {
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "workers": args.workers,
        "python": sys.version.split()[0],
    }
    client_cpu = round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 2)
    report = {
        "conditions": conditions,
        "batch_shapes_alone_s": {k: round(v, 3) for k, v in alone.items()},
        "heaviest": heaviest,
        "phases": rows,
        "server_usage": usage,
        "client_cpu_s": client_cpu,
        "targets": targets,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    if args.markdown:
        print(f"load average before {conditions['loadavg_before']}, "
              f"after {conditions['loadavg_after']}; {args.workers} worker(s)")  # fmt: skip
        for label, secs in alone.items():
            print(
                f"- batch {label}: {secs * 1000:.0f} ms alone{' (heaviest)' if label == heaviest else ''}"
            )
        print_markdown(rows, ["requests", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms"])
        for label, u in usage.items():
            print(f"- {label} ({args.duration:g} s): server CPU {u['server_cpu_s']} s "
                  f"(user + system, whole process tree), 1-min load {u['loadavg_1min_after']}")  # fmt: skip
        print(f"- this client used {client_cpu} s of CPU in all")
        for name, met in targets.items():
            print(f"- {name}: {'met' if met else 'NOT met'}")
    else:
        print(json.dumps(report, indent=2))
    errors = sum(r["errors"] for r in rows)
    if any(r["ok"] == 0 for r in rows):
        print("a phase got no answer at all", file=sys.stderr)
        return 1
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
