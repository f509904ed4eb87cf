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

Each phase reports, beside throughput and latency, the CPU seconds (user +
system) of the whole server process tree and of the load generator, each
also per request, and the load average before and after: on a shared
machine a figure means little without them. The generator (this process)
costs about a tenth of a millisecond of CPU per request, against a budget
of 4 ms for server and generator together at 500 requests/s on 2 cores.

``--data-dir DIR`` skips the import: each service serves a copy of a data
directory imported before (``dprkwatch --data-dir DIR lists import ...``);
with ``--compare-src`` both revisions then read snapshots written by the
same code.

**Paired runs.** ``--compare-src DIR`` names the ``src`` folder of another
checkout (a reference revision, e.g. ``git worktree add --detach ../ref
<commit>``). Both services are started, each over its own data directory
imported by its own code, and ``--rounds`` rounds alternate them (A B, then
B A, ...) so that a machine getting busier or quieter affects both alike;
the summary gives the median of each and the ratio.

    python benchmarks/service_load.py [--endpoint match|search|reconcile]
        [--workers 2] [--duration 60] [--rate 500]
        [--concurrency 32] [--requests N] [--url http://127.0.0.1:8000 --key KEY]
        [--compare-src ../ref/src --rounds 3] [--data-dir DIR]
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
import resource
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

try:
    import psutil
except ImportError:  # one line, not a traceback
    raise SystemExit(
        "psutil is missing: install the bench extra (make bench, or uv sync --extra bench)"
    ) from None

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


@dataclass
class Service:
    """A service under test: where it answers, its key, its data dir and its process."""

    label: str
    url: str
    key: str
    home: Path | None
    pid: int | None

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and every worker it started, so far."""
        if self.pid is None:
            return float("nan")
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return float("nan")
        total = 0.0
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                t = proc.cpu_times()
                total += t.user + t.system
        return total


def server_env(src: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DPRKWATCH_")}
    if src is not None:  # the reference revision's code, before this checkout's
        env["PYTHONPATH"] = str(src.resolve())
    return env


def import_lists(home: Path, lists: list[Path], src: Path | None) -> list[str]:
    """Import ``lists`` with ``dprkwatch lists import`` (the code under test); the imported."""
    done = []
    for path in lists:
        cmd = [sys.executable, "-m", "dprkwatch", "--data-dir", str(home),
               "lists", "import", str(path)]  # fmt: skip
        run = subprocess.run(cmd, env=server_env(src), capture_output=True, text=True)
        if run.returncode != 0:  # e.g. an importer the reference does not have yet
            tail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["?"]
            print(f"skipped {path}: {tail[0]}", file=sys.stderr)
        else:
            done.append(path.name)
    return done


@contextlib.contextmanager
def started_service(
    args: argparse.Namespace, label: str, src: Path | None = None
) -> Iterator[Service]:
    """Import the lists into a temporary data dir and serve it (``src``: another revision)."""
    workdir = Path(tempfile.mkdtemp(prefix="dprkwatch-load-"))
    home = workdir / "home"
    lists = [Path(p) for p in args.lists] if args.lists else default_lists()
    t0 = time.perf_counter()
    if args.data_dir is not None:  # imported before: a copy, so the original stays as it was
        shutil.copytree(args.data_dir, home)
        print(f"{label}: copied {args.data_dir}", file=sys.stderr)
    elif not import_lists(home, lists, src):
        raise SystemExit(f"{label}: no list could be imported")
    else:
        print(f"{label}: imported {len(lists)} list files in {time.perf_counter() - t0:.1f}s",
              file=sys.stderr)  # fmt: skip
    env = server_env(src)
    if args.database_url:
        env["DPRKWATCH_DATABASE_URL"] = args.database_url
    try:
        with serving(home, workdir, args.workers, env) as (url, admin, pid):
            admin_auth = {"Authorization": f"ApiKey {admin}"}
            with httpx.Client(base_url=url, headers=admin_auth, timeout=120) as client:
                r = client.post("/keys", json={"name": "load-test", "roles": ["screen"]})
                r.raise_for_status()
                key = r.json()["key"]
                # Workers load nomenklatura on a thread after they are ready; /algorithms
                # waits for it. Measuring before it is loaded would count that load as
                # serving cost.
                for _ in range(2 * args.workers):
                    client.get("/algorithms", timeout=600)
            yield Service(label, url, key, home, pid)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}", file=sys.stderr)


@contextlib.contextmanager
def serving(
    home: Path, workdir: Path, workers: int, env: dict[str, str]
) -> Iterator[tuple[str, str, int]]:
    """Run ``dprkwatch serve`` on loopback over ``home`` (its log in ``workdir``) with a
    fresh admin key; yield (url, admin key, server pid) once it is ready. ``env`` is the
    server's environment (see :func:`server_env`)."""
    admin = secrets.token_urlsafe(32)
    port = free_port()
    env = {**env, "DPRKWATCH_ADMIN_KEY": admin}
    cmd = [sys.executable, "-m", "dprkwatch", "--data-dir", str(home), "serve",
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]  # fmt: skip
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, workdir / "server.log")
        yield url, admin, proc.pid
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        log.close()


def default_lists() -> list[Path]:
    real = [SHARED / f for f in REAL_LISTS]
    if all(p.exists() for p in real):
        return real
    return [REPO / f for f in FIXTURE_LISTS]


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 900) -> None:
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

# Fewer listed names than this from the real lists (about 28,000 entries) means the
# import went wrong; lists given with --lists need at least one.
MIN_LISTED_REAL = 10_000


def query_names(
    home: Path | None, count: int, seed: int, min_listed: int = 1
) -> list[tuple[str, str]]:
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
    if home is not None and len(listed) < min_listed:
        raise SystemExit(
            f"only {len(listed)} listed names to ask for (expected at least {min_listed}): "
            "the imported lists are empty or were not read"
        )
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
            # Names as plain text (simple=true), as a search box sends them: in
            # the query syntax a name's quote or slash is malformed (a 400).
            query = {"q": name, "limit": 5, "simple": "true"}
            target = f"/search/{quote(dataset)}?{urlencode(query)}"
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
    service: str = ""
    server_cpu: float = float("nan")
    client_cpu: float = float("nan")
    load_before: float = float("nan")
    load_after: float = float("nan")

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

        requests = done + sum(self.errors.values())
        return {
            "service": self.service,
            "phase": self.name,
            "requests": requests,
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
            "server_cpu_s": round(self.server_cpu, 2),
            "client_cpu_s": round(self.client_cpu, 2),
            "server_cpu_ms_per_request": round(1000 * self.server_cpu / max(requests, 1), 3),
            "client_cpu_ms_per_request": round(1000 * self.client_cpu / max(requests, 1), 3),
            "loadavg_1m": [round(self.load_before, 2), round(self.load_after, 2)],
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


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _measured(service: Service, run: Any) -> Phase:
    """Run one phase, with the CPU both sides spent on it and the load around it."""
    load_before, server0, client0 = os.getloadavg()[0], service.cpu_seconds(), _client_cpu()
    phase: Phase = await run
    phase.service = service.label
    phase.server_cpu = service.cpu_seconds() - server0
    phase.client_cpu = _client_cpu() - client0
    phase.load_before, phase.load_after = load_before, os.getloadavg()[0]
    return phase


def run_phases(
    args: argparse.Namespace,
    service: Service,
    endpoint: str,
    names: list[tuple[str, str]],
    warm: bool = True,
) -> list[dict[str, Any]]:
    host, port = check_loopback(service.url)
    bodies = build_requests(endpoint, args.dataset, host, port, service.key, names)
    marker = MARKERS[endpoint]

    async def all_phases() -> list[Phase]:
        if warm:  # caches, connection set-up: Python without a JIT still likes hot code
            await saturate(
                host, port, marker, bodies, min(args.concurrency, 8), None, min(500, len(bodies))
            )
        phases = []
        if not args.skip_saturation:
            duration = args.duration if args.requests is None else None
            run = saturate(host, port, marker, bodies, args.concurrency, duration, args.requests)
            phases.append(await _measured(service, run))
        if args.rate > 0:
            run = fixed_rate(
                host, port, marker, bodies, args.rate, args.duration, args.rate_connections
            )
            phases.append(await _measured(service, run))
        return phases

    return [{"endpoint": endpoint, **p.summary()} for p in asyncio.run(all_phases())]


def paired_summary(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per service and phase: the medians over the rounds."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault((r["endpoint"], r["service"], r["phase"]), []).append(r)
    out = []
    for (endpoint, service, phase), rows in groups.items():

        def med(key: str, rows: list[dict[str, Any]] = rows) -> float:
            return round(float(statistics.median(r[key] for r in rows)), 3)

        out.append(
            {
                "endpoint": endpoint,
                "service": service,
                "phase": phase,
                "rounds": len(rows),
                "errors": sum(r["errors"] for r in rows),
                "throughput_rps": med("throughput_rps"),
                "p50_ms": med("p50_ms"),
                "p99_ms": med("p99_ms"),
                "server_cpu_ms_per_request": med("server_cpu_ms_per_request"),
                "client_cpu_ms_per_request": med("client_cpu_ms_per_request"),
                "loadavg_1m": [
                    min(r["loadavg_1m"][0] for r in rows),
                    max(r["loadavg_1m"][1] for r in rows),
                ],
            }
        )
    return out


def print_table(results: list[dict[str, Any]], medians: list[dict[str, Any]]) -> None:
    print("| endpoint | service | phase | requests | errors | req/s | p50 ms | p95 ms | p99 ms "
          "| max ms | server CPU s | client CPU s | server CPU ms/req | client CPU ms/req "
          "| load 1m |")  # fmt: skip
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        print(
            f"| {r['endpoint']} | {r['service']} | {r['phase']} | {r['requests']} | {r['errors']} | "
            f"{r['throughput_rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
            f"{r['max_ms']} | {r['server_cpu_s']} | {r['client_cpu_s']} | "
            f"{r['server_cpu_ms_per_request']} | {r['client_cpu_ms_per_request']} | "
            f"{r['loadavg_1m'][0]}-{r['loadavg_1m'][1]} |"
        )
    print()
    print("| endpoint | service | phase | rounds | errors | median req/s | median p50 ms "
          "| median p99 ms "
          "| median server CPU ms/req | median client CPU ms/req | load 1m |")  # fmt: skip
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for m in medians:
        print(
            f"| {m['endpoint']} | {m['service']} | {m['phase']} | {m['rounds']} | {m['errors']} | "
            f"{m['throughput_rps']} | {m['p50_ms']} | {m['p99_ms']} | "
            f"{m['server_cpu_ms_per_request']} | {m['client_cpu_ms_per_request']} | "
            f"{m['loadavg_1m'][0]}-{m['loadavg_1m'][1]} |"
        )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--url", help="a running service on loopback (default: start one)")
    ap.add_argument("--key", help="a 'screen' API key for --url")
    ap.add_argument(
        "--lists", nargs="*", help="list files to import (default: the real lists, else fixtures)"
    )
    ap.add_argument(
        "--data-dir",
        type=Path,
        help="a data directory the lists were imported into before (e.g. by dprkwatch lists "
        "import): each service serves a copy of it instead of importing again",
    )
    ap.add_argument("--database-url", help="DPRKWATCH_DATABASE_URL for the started service")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn workers of the started service")
    ap.add_argument("--dataset", default="default")
    ap.add_argument(
        "--endpoint",
        nargs="+",
        choices=sorted(MARKERS),
        default=["match"],
        help="what to load, one after the other (default match)",
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
        "--compare-src",
        type=Path,
        help="the src folder of another revision: serve it too and alternate the two",
    )
    ap.add_argument(
        "--rounds", type=int, default=1, help="rounds of phases per service (alternating)"
    )
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

    if args.compare_src is not None and not (args.compare_src / "dprkwatch").is_dir():
        raise SystemExit(f"--compare-src {args.compare_src}: no dprkwatch package there")
    if args.data_dir is not None and not (args.data_dir / "active.json").is_file():
        raise SystemExit(f"--data-dir {args.data_dir}: no imported lists there (no active.json)")
    if args.compare_src is not None and args.url:
        raise SystemExit("--compare-src starts both services; it cannot be used with --url")
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    load_before = os.getloadavg()
    results: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        if args.url:
            check_loopback(args.url)
            if not args.key:
                raise SystemExit("--url needs --key (a key with the 'screen' role)")
            services = [Service("given", args.url, args.key, None, None)]
        else:
            services = [stack.enter_context(started_service(args, "this tree"))]
            if args.compare_src is not None:
                ref = started_service(args, "reference", args.compare_src)
                services.append(stack.enter_context(ref))
        # A --data-dir is taken to hold the real lists (it saves importing them again).
        real = args.data_dir is not None or (
            not args.lists and default_lists()[0].is_relative_to(SHARED)
        )
        least = MIN_LISTED_REAL if real else 1
        names = query_names(services[0].home, args.queries, args.seed, least)
        for i in range(args.rounds):
            order = services if i % 2 == 0 else services[::-1]
            for service in order:
                for endpoint in args.endpoint:
                    done = run_phases(args, service, endpoint, names, warm=i < 2)
                    for r in done:  # as it goes: a run cut short still tells what it measured
                        print(json.dumps(r), file=sys.stderr)
                    results.extend(done)
                    print(f"round {i + 1}: {service.label} {endpoint} done, "
                          f"load {os.getloadavg()[0]:.1f}", file=sys.stderr)  # fmt: skip
    medians = paired_summary(results)
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
            "endpoints": args.endpoint,
            "reference": str(args.compare_src) if args.compare_src else None,
            "python": sys.version.split()[0],
        },
        "phases": results,
        "medians": medians,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    if args.markdown:
        print_table(results, medians)
    else:
        print(json.dumps(report, indent=2))
    return 0 if all(r["errors"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
