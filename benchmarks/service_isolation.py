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


def prepared_home(args: argparse.Namespace, workdir: Path) -> Path:
    """``args.home``, else a data directory with ``args.lists`` (default: the real lists)."""
    if args.home:
        return Path(args.home)
    from dprkwatch.lists import SnapshotStore, import_paths

    home = workdir / "home"
    store = SnapshotStore(home)
    for path in [Path(p) for p in args.lists] if args.lists else default_lists():
        import_paths(store, [path])
    return home


@contextlib.contextmanager
def service(args: argparse.Namespace, home: Path, extra: dict[str, str]) -> Iterator[Served]:
    """Serve ``home`` (its own database; ``extra``: more settings, e.g. the bulk process off)."""
    workdir = Path(tempfile.mkdtemp(prefix="dprkwatch-isolation-"))
    env = {**server_env(None), "DPRKWATCH_DATABASE_URL": f"sqlite:///{workdir / 'service.sqlite3'}"}
    try:
        with serving(home, workdir, args.workers, {**env, **extra}) as (url, admin, pid):
            yield Served(url, admin, home, pid)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def bulk_ready(url: str, host: str, port: int, key: str, heavy: bytes) -> str:
    """Send one big batch (it starts the bulk process) and wait until the process holds the
    lists (``/readyz`` says ``ready``); ``off`` when the service screens them on a thread."""
    await time_alone(host, port, key, heavy, 1)
    deadline = time.monotonic() + 600
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        while True:
            state = str((await client.get("/readyz")).json().get("bulk_process", "off"))
            if state in ("ready", "off"):
                return state
            if time.monotonic() > deadline:
                raise SystemExit("the bulk screening process did not load the lists in 10 min")
            await asyncio.sleep(0.5)


def new_key(url: str, admin: str, name: str) -> str:
    with httpx.Client(base_url=url, headers={"Authorization": f"ApiKey {admin}"}, timeout=120) as c:
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


SETUPS = {
    "bulk process": {},  # the default: big batches scored in their own process
    "thread": {"DPRKWATCH_BULK_PROCESS": "0"},  # the reference: the bulk lane's thread
}


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
    ap.add_argument(
        "--setups", nargs="+", choices=list(SETUPS), default=list(SETUPS),
        help="services to measure, started side by side (default: both)",
    )  # fmt: skip
    ap.add_argument("--rounds", type=int, default=2, help="under-load phases per setup")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()

    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="dprkwatch-isolation-home-"))
    try:
        home = prepared_home(args, workdir)
        names = listed_names(home, 600)
        shapes = batch_shapes(names, args.names)
        with contextlib.ExitStack() as stack:
            served = {
                name: stack.enter_context(service(args, home, SETUPS[name])) for name in args.setups
            }
            report = asyncio.run(measure(args, served, shapes))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report["conditions"] = {
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "workers": args.workers,
        "python": sys.version.split()[0],
        "client_cpu_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 2),
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    if args.markdown:
        print_report(report, args)
    else:
        print(json.dumps(report, indent=2))
    rows = report["phases"]
    if any(r["ok"] == 0 for r in rows):
        print("a phase got no answer at all", file=sys.stderr)
        return 1
    return 0 if sum(r["errors"] for r in rows) == 0 else 1


async def measure(
    args: argparse.Namespace, served: dict[str, Served], shapes: dict[str, bytes]
) -> dict[str, Any]:
    """Per setup: the batch shapes alone, a baseline phase, then ``--rounds`` under-load
    phases, the setups alternating (A B, then B A, ...) so a machine getting busier or
    quieter affects each alike."""
    single = orjson.dumps(
        {"queries": {"q": {"schema": "Person", "properties": {"name": ["Ri Su Yong"]}}}}
    )
    ports = {name: int(s.url.rsplit(":", 1)[1]) for name, s in served.items()}
    keys = {name: (new_key(s.url, s.admin, "teller"), new_key(s.url, s.admin, "bulk"))
            for name, s in served.items()}  # fmt: skip
    first_shape = next(iter(shapes.values()))
    bulk_state = {
        name: await bulk_ready(s.url, "127.0.0.1", ports[name], keys[name][1], first_shape)
        for name, s in served.items()
    }
    alone = {
        name: {
            label: await time_alone("127.0.0.1", ports[name], keys[name][1], body, 3)
            for label, body in shapes.items()
        }
        for name in served
    }
    ours = next(iter(served))
    heaviest = max(alone[ours], key=lambda k: alone[ours][k])
    rows: list[dict[str, Any]] = []

    async def phase(name: str, label: str, heavy: bytes | None) -> None:
        cpu_before, load = tree_usage(served[name].pid)[1], os.getloadavg()[0]
        phases = await run_phase(
            "127.0.0.1", ports[name], keys[name][0], keys[name][1], single, heavy,
            args.rate, args.duration, label,
        )  # fmt: skip
        cpu = tree_usage(served[name].pid)[1] - cpu_before
        for p in phases.values():
            row = p.summary()
            row.update(setup=name, server_cpu_s=round(cpu, 2),
                       loadavg_1m=[round(load, 2), round(os.getloadavg()[0], 2)])  # fmt: skip
            rows.append(row)

    for name in served:
        await phase(name, "baseline", None)
    order = list(served)
    for r in range(args.rounds):
        for name in order if r % 2 == 0 else order[::-1]:
            await phase(name, f"under load, round {r + 1}", shapes[heaviest])
    medians = {}
    for name in served:
        under = [row for row in rows if row["setup"] == name and row["phase"].startswith("under")]
        medians[name] = {
            probe: statistics.median(row["p99_ms"] for row in under if row["phase"].endswith(probe))
            for probe in ("GET /readyz", "POST /match, 1 query")
        }
    targets = {
        name: {
            "readyz p99 <= 50 ms under load": m["GET /readyz"] <= 50,
            "single-query /match p99 <= 100 ms under load": m["POST /match, 1 query"] <= 100,
        }
        for name, m in medians.items()
    }
    return {
        "bulk_process": bulk_state,
        "batch_shapes_alone_s": {
            name: {k: round(v, 3) for k, v in a.items()} for name, a in alone.items()
        },
        "heaviest": heaviest,
        "phases": rows,
        "median_p99_ms_under_load": medians,
        "targets": targets,
    }


def print_report(report: dict[str, Any], args: argparse.Namespace) -> None:
    c = report["conditions"]
    print(f"load average before {c['loadavg_before']}, after {c['loadavg_after']}; "
          f"{args.workers} worker(s); this client used {c['client_cpu_s']} s of CPU")  # fmt: skip
    for name, shapes in report["batch_shapes_alone_s"].items():
        timed = ", ".join(f"{label}: {secs * 1000:.0f} ms" for label, secs in shapes.items())
        print(f"- {name} ({report['bulk_process'][name]}): batches alone: {timed}")
    print(f"- heaviest: {report['heaviest']}")
    rows = [{**r, "phase": f"{r['setup']}: {r['phase']}"} for r in report["phases"]]
    print_markdown(rows, ["requests", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms",
                          "server_cpu_s", "loadavg_1m"])  # fmt: skip
    for name, m in report["median_p99_ms_under_load"].items():
        met = report["targets"][name]
        print(f"- {name}: median p99 under load: /readyz {m['GET /readyz']} ms "
              f"({'met' if met['readyz p99 <= 50 ms under load'] else 'NOT met'}), single "
              f"/match {m['POST /match, 1 query']} ms ("
              f"{'met' if met['single-query /match p99 <= 100 ms under load'] else 'NOT met'})")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
