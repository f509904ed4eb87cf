"""Load test for ``POST /match``, ``GET /search`` or ``POST /reconcile`` (one query per
request), on loopback only.

Starts ``dprkwatch serve`` on 127.0.0.1 over a fresh data directory (the
real lists from ``../shared/data`` when present, else the test fixtures) -
or uses a running service given by ``--url``, which must be a loopback
address. Then it runs two phases against the chosen ``--endpoint``
(``/match/<dataset>`` by default; ``search``: ``/search/<dataset>?q=<name>``;
``reconcile``: an OpenRefine-style form POST of one query to
``/reconcile/<dataset>``):

1. **saturation**: ``--concurrency`` connections send requests back to back
   for ``--duration`` seconds (or ``--requests`` in all): the highest
   throughput the service sustains;
2. **fixed rate**: requests are *scheduled* at ``--rate`` per second for
   ``--duration`` seconds and each latency is measured from its scheduled
   time, so a stalled server cannot hide queueing delay (no coordinated
   omission): the latency percentiles at the target load.

Every request is a different name: half taken from the lists (lightly
perturbed: case, token order), half invented, so hits and misses both count.
Every answer must be HTTP 200 with the endpoint's document (``responses``,
``results`` or the query's ``result``), else it is an error. The client is
a lean HTTP/1.1 keep-alive client on asyncio streams (with uvloop when
installed) so that it leaves the CPU to the server.

    python benchmarks/service_load.py [--endpoint match|search|reconcile]
        [--workers 2] [--duration 60] [--rate 500]
        [--concurrency 32] [--requests N] [--url http://127.0.0.1:8000 --key KEY]
        [--database-url postgresql+psycopg://...] [--json out.json] [--markdown]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import orjson

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
REAL_LISTS = (
    "ofac/sdn_2024-05-03/sdn.csv",
    "un/un_consolidated_2026-02-27.xml",
    "eu/eu_fsf_ammitto_2026-05-01.yaml",
    "uk/uk_ofsi_conlist_ammitto_2026-08-22.yaml",
)
FIXTURE_LISTS = (
    "tests/fixtures/service/ofac_2026-03-10",
    "tests/fixtures/service/un_2026-02-27.xml",
)
FIRST = ("Anna", "Lukas", "Maria", "Jonas", "Sofia", "Emil", "Clara", "Noah", "Ida", "Felix", "Mei", "Arjun",
         "Fatima", "Diego", "Olga", "Tomasz", "Aiko", "Kwame", "Leila", "Mateo")  # fmt: skip
LAST = ("Lindqvist", "Moreau", "Schneider", "Kowalski", "Haddad", "Okafor", "Tanaka", "Fernandes", "Novak",
        "Brennan", "Castillo", "Ivanova", "Nakamura", "Mensah", "Rahman", "Dubois", "Jensen", "Silva")  # fmt: skip
COMPANY = (
    "Trading",
    "Logistics",
    "Holdings",
    "Shipping",
    "Textiles",
    "Foods",
    "Energy",
    "Partners",
)


# -- the service under test ------------------------------------------------------------


def check_loopback(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loop = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loop = False
    if parts.scheme != "http" or not loop:
        raise SystemExit(f"--url must be plain http on a loopback address, got {url!r}")
    return host, parts.port or 80


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def started_service(args: argparse.Namespace) -> Iterator[tuple[str, str, Path]]:
    """Import the lists into a temporary data dir, serve it, yield (url, screen key, home)."""
    from dprkwatch.exceptions import DprkwatchError
    from dprkwatch.lists import SnapshotStore, import_paths

    workdir = Path(tempfile.mkdtemp(prefix="dprkwatch-load-"))
    home = workdir / "home"
    lists = [Path(p) for p in args.lists] if args.lists else default_lists()
    t0 = time.perf_counter()
    store = SnapshotStore(home)
    for path in lists:
        try:
            import_paths(store, [path])
        except DprkwatchError as exc:  # e.g. an importer not written yet: bench what there is
            print(f"skipped {path}: {exc}", file=sys.stderr)
    active = store.active_versions()
    if not active:
        raise SystemExit("no list could be imported")
    print(
        f"imported {', '.join(sorted(active))} in {time.perf_counter() - t0:.1f}s", file=sys.stderr
    )
    admin = secrets.token_urlsafe(24)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DPRKWATCH_")}
    env["DPRKWATCH_ADMIN_KEY"] = admin
    if args.database_url:
        env["DPRKWATCH_DATABASE_URL"] = args.database_url
    cmd = [sys.executable, "-m", "dprkwatch", "--data-dir", str(home), "serve",
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]  # fmt: skip
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, workdir / "server.log")
        with httpx.Client(base_url=url, headers={"Authorization": f"ApiKey {admin}"}) as client:
            r = client.post("/keys", json={"name": "load-test", "roles": ["screen"]})
            r.raise_for_status()
            key = r.json()["key"]
        yield url, key, home
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        log.close()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}", file=sys.stderr)


def default_lists() -> list[Path]:
    real = [SHARED / f for f in REAL_LISTS]
    if all(p.exists() for p in real):
        return real
    return [REPO / f for f in FIXTURE_LISTS]


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, timeout=5) as client:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.TransportError):
                if client.get("/readyz").status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise SystemExit("server did not become ready")
            time.sleep(0.25)


# -- what to ask ---------------------------------------------------------------------------


def query_names(home: Path | None, count: int, seed: int) -> list[tuple[str, str]]:
    """(schema, name) to ask for: half names from the lists (perturbed), half invented."""
    rng = random.Random(seed)
    listed: list[tuple[str, str]] = []
    if home is not None:
        from dprkwatch.lists import SnapshotStore

        for snap in SnapshotStore(home).active().values():
            for data in snap.iter_dicts():
                if data.get("schema") in (
                    "Person",
                    "Organization",
                    "Company",
                    "LegalEntity",
                    "Vessel",
                ):
                    for name in data.get("properties", {}).get("name", [])[:1]:
                        listed.append((data["schema"], name))
    rng.shuffle(listed)
    names: list[tuple[str, str]] = []
    for i in range(count):
        if listed and i % 2 == 0:
            schema, name = listed[(i // 2) % len(listed)]
            tokens = name.replace(",", " ").split()
            if rng.random() < 0.5:
                tokens.reverse()
            name = " ".join(tokens)
            name = name.lower() if rng.random() < 0.3 else name
        elif rng.random() < 0.7:
            schema, name = "Person", f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        else:
            schema, name = "Company", f"{rng.choice(LAST)} {rng.choice(COMPANY)} Ltd"
        names.append((schema, name))
    return names


# What a successful answer of each endpoint holds.
MARKERS = {"match": b'"responses"', "search": b'"results"', "reconcile": b'"result"'}


def build_requests(
    endpoint: str, dataset: str, host: str, port: int, key: str, names: list[tuple[str, str]]
) -> list[bytes]:
    """Complete HTTP/1.1 requests (keep-alive), one query each, as a client would send them."""
    if not names:
        raise SystemExit("no queries to send: the benchmark input is empty")
    head = f"Host: {host}:{port}\r\nAuthorization: ApiKey {key}\r\n"
    out = []
    for schema, name in names:
        if endpoint == "search":
            target = f"/search/{quote(dataset)}?{urlencode({'q': name, 'limit': 5})}"
            out.append(f"GET {target} HTTP/1.1\r\n{head}\r\n".encode())
            continue
        if endpoint == "reconcile":
            query = {"q0": {"query": name, "type": schema, "limit": 5}}
            body = urlencode({"queries": orjson.dumps(query).decode()}).encode()
            kind = "application/x-www-form-urlencoded"
            target = f"/reconcile/{quote(dataset)}"
        else:
            example = {"schema": schema, "properties": {"name": [name]}}
            body = orjson.dumps({"queries": {"q": example}})
            kind = "application/json"
            target = f"/match/{quote(dataset)}"
        out.append(
            f"POST {target} HTTP/1.1\r\n{head}Content-Type: {kind}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    return out


# -- the client ------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    marker: bytes = b""
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def summary(self) -> dict[str, Any]:
        done = len(self.latencies)
        elapsed = max(self.finished - self.started, 1e-9)
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return (
                round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000, 2)
                if lat
                else float("nan")
            )

        return {
            "phase": self.name,
            "requests": done + sum(self.errors.values()),
            "ok": done,
            "errors": sum(self.errors.values()),
            "error_kinds": self.errors,
            "seconds": round(elapsed, 2),
            "throughput_rps": round(done / elapsed, 1),
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "max_ms": round(lat[-1] * 1000, 2) if lat else float("nan"),
            "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else float("nan"),
        }


def tree_usage(pid: int) -> tuple[int, float]:
    """Resident bytes and CPU seconds (user + system) of ``pid`` and its live descendants
    (uvicorn workers, forked pools), the CPU of the children they have reaped included."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    usage: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
            parents[int(entry.name)] = int(fields[1])
            cpu = sum(int(f) for f in fields[11:15]) / ticks  # utime stime cutime cstime
            usage[int(entry.name)] = (int(fields[21]) * os.sysconf("SC_PAGE_SIZE"), cpu)
    family, grew = {pid}, True
    while grew:
        more = {p for p, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    rss = sum(usage.get(p, (0, 0.0))[0] for p in family)
    return rss, round(sum(usage.get(p, (0, 0.0))[1] for p in family), 2)


def print_markdown(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Phase summaries as a Markdown table: the phase, then the named summary columns."""
    print("\n| phase | " + " | ".join(c.replace("_ms", " ms") for c in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for r in rows:
        print(f"| {r['phase']} | " + " | ".join(str(r[c]) for c in columns) + " |")


class Connection:
    """One keep-alive HTTP/1.1 connection that sends pre-built requests."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        close = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            lname = name.strip().lower()
            if lname == b"content-length":
                length = int(value)
            elif lname == b"connection" and value.strip().lower() == b"close":
                close = True
        payload = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def _one(conn: Connection, request: bytes, phase: Phase, t_start: float) -> None:
    try:
        status, payload = await conn.send(request)
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        phase.error(type(exc).__name__)
        await conn.close()
        return
    if status != 200:
        phase.error(f"http {status}")
    elif phase.marker not in payload:
        phase.error("unexpected body")
    else:
        phase.latencies.append(time.perf_counter() - t_start)


async def saturate(
    host: str, port: int, marker: bytes, bodies: list[bytes], concurrency: int,
    duration: float | None, requests: int | None,
) -> Phase:  # fmt: skip
    phase = Phase("saturation", marker)
    counter = iter(range(10**12))
    phase.started = time.perf_counter()
    stop_at = phase.started + duration if duration else float("inf")

    async def worker() -> None:
        conn = Connection(host, port)
        while True:
            i = next(counter)
            if (requests is not None and i >= requests) or time.perf_counter() >= stop_at:
                break
            await _one(conn, bodies[i % len(bodies)], phase, time.perf_counter())
        await conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    phase.finished = time.perf_counter()
    return phase


async def fixed_rate(
    host: str,
    port: int,
    marker: bytes,
    bodies: list[bytes],
    rate: float,
    duration: float,
    concurrency: int,
) -> Phase:
    """Open loop: request i is due at start + i/rate; latency counts from that moment."""
    phase = Phase(f"fixed rate {rate:g}/s", marker)
    total = int(rate * duration)
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()

    async def worker() -> None:
        conn = Connection(host, port)
        while True:
            item = await queue.get()
            if item is None:
                break
            i, due = item
            await _one(conn, bodies[i % len(bodies)], phase, due)
        await conn.close()

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    phase.started = start = time.perf_counter()
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((i, due))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    phase.finished = time.perf_counter()
    return phase


# -- main ------------------------------------------------------------------------------------


def run_phases(
    args: argparse.Namespace, url: str, key: str, names: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    host, port = check_loopback(url)
    bodies = build_requests(args.endpoint, args.dataset, host, port, key, names)
    marker = MARKERS[args.endpoint]
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()

    async def all_phases() -> list[Phase]:
        # Warm-up: caches, connection set-up, JIT-free Python still likes hot code.
        await saturate(
            host, port, marker, bodies, min(args.concurrency, 8), None, min(500, len(bodies))
        )
        phases = []
        if not args.skip_saturation:
            phases.append(
                await saturate(
                    host,
                    port,
                    marker,
                    bodies,
                    args.concurrency,
                    args.duration if args.requests is None else None,
                    args.requests,
                )
            )
        if args.rate > 0:
            phases.append(
                await fixed_rate(
                    host, port, marker, bodies, args.rate, args.duration, args.rate_connections
                )
            )
        return phases

    return [p.summary() for p in asyncio.run(all_phases())]


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--url", help="a running service on loopback (default: start one)")
    ap.add_argument("--key", help="a 'screen' API key for --url")
    ap.add_argument(
        "--lists", nargs="*", help="list files to import (default: the real lists, else fixtures)"
    )
    ap.add_argument("--database-url", help="DPRKWATCH_DATABASE_URL for the started service")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn workers of the started service")
    ap.add_argument("--dataset", default="default")
    ap.add_argument(
        "--endpoint", choices=sorted(MARKERS), default="match", help="what to load (default match)"
    )
    ap.add_argument("--duration", type=float, default=60.0, help="seconds per phase")
    ap.add_argument(
        "--requests", type=int, help="saturation phase: this many requests instead of --duration"
    )
    ap.add_argument(
        "--concurrency", type=int, default=32, help="connections in the saturation phase"
    )
    ap.add_argument(
        "--rate", type=float, default=500.0, help="requests/s of the fixed-rate phase (0: skip)"
    )
    ap.add_argument(
        "--rate-connections",
        type=int,
        default=64,
        help="connections available to the fixed-rate phase",
    )
    ap.add_argument("--skip-saturation", action="store_true")
    ap.add_argument(
        "--queries", type=int, default=20_000, help="distinct request bodies to cycle through"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--keep", action="store_true", help="keep the temporary data dir and server log"
    )
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()

    load_before = os.getloadavg()
    if args.url:
        check_loopback(args.url)
        if not args.key:
            raise SystemExit("--url needs --key (a key with the 'screen' role)")
        names = query_names(None, args.queries, args.seed)
        results = run_phases(args, args.url, args.key, names)
    else:
        with started_service(args) as (url, key, home):
            names = query_names(home, args.queries, args.seed)
            results = run_phases(args, url, key, names)
    report = {
        "conditions": {
            "cpus": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "workers": None if args.url else args.workers,
            "database": "given service"
            if args.url
            else ("postgresql" if args.database_url else "sqlite"),
            "dataset": args.dataset,
            "endpoint": args.endpoint,
            "python": sys.version.split()[0],
        },
        "phases": results,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    if args.markdown:
        print("| phase | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            print(
                f"| {r['phase']} | {r['requests']} | {r['errors']} | "
                f"{r['throughput_rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
                f"| {r['max_ms']} |"
            )
    else:
        print(json.dumps(report, indent=2))
    return 0 if all(r["errors"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
