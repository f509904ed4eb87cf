"""CPU per request of ``/search``, ``/match`` and ``/reconcile``, in process, paired.

The load test (``service_load.py``) measures what a client sees, but on a
shared machine its server CPU per request moves by a third from run to run,
more than the change it is asked to judge. This benchmark removes the
network, the HTTP parser and the other process: the service's ASGI app runs
in a worker process over a copy of a data directory, and a fixed list of
queries (the load test's, from the same seed) is handed to the app as ASGI
calls by a small driver on the worker's own event loop, ``--concurrency``
at a time, so that the audit writer commits in groups as under load. Every
answer must be HTTP 200 with the endpoint's document.

A *pass* sends every query once; its figure is the worker's CPU time (user +
system, all threads: the screening lanes and the audit writer included)
divided by the queries. With ``--compare-src`` a second worker runs another
checkout's code (``PYTHONPATH``), and the passes alternate A B B A ... for
``--rounds`` rounds, so a machine getting busier affects both alike; the
summary is each side's median and the ratio of medians, and how many of the
pairs this checkout won.

``--callgrind`` instead counts instructions with ``valgrind --tool=callgrind``
(repeatable on a busy machine): the worker starts with instrumentation off,
warms up with one pass, and counts exactly one measured pass
(``vgdb --pid=... instrumentation on/off`` around it, for this worker only). Slow: use ``--queries 100``.

    python benchmarks/service_cpu.py --data-dir DIR [--endpoint search]
        [--queries 300] [--rounds 5] [--concurrency 8]
        [--compare-src ../ref/src] [--callgrind] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson

REPO = Path(__file__).resolve().parents[1]
ENDPOINTS = ("search", "match", "reconcile")
MARKERS = {"match": b'"responses"', "search": b'"results"', "reconcile": b'"result"'}
# Below this many listed names the data directory is not a full import.
MIN_LISTED = 1_000


# -- the worker: the app under test, driven in process ------------------------------------


class Worker:
    """One ASGI app over ``home`` with a screening key, answering prepared requests."""

    def __init__(self, home: Path, names: list[tuple[str, str]], dataset: str) -> None:
        from dprkwatch import settings as settings_mod
        from dprkwatch.service.api.app import create_app

        self.admin = secrets.token_urlsafe(24)
        env = {"DPRKWATCH_HOME": str(home), "DPRKWATCH_ADMIN_KEY": self.admin}
        self.app = create_app(settings_mod.load(env), wait_for_index=True, warm_algorithms=True)
        self.names = names
        self.dataset = dataset
        self.key = ""
        self._lifespan: asyncio.Task[None] | None = None
        self._startup: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def start(self) -> None:
        async def receive() -> dict[str, Any]:
            return await self._startup.get()

        async def send(message: MutableMapping[str, Any]) -> None:
            await self._events.put(dict(message))

        self._lifespan = asyncio.create_task(self.app({"type": "lifespan"}, receive, send))
        await self._startup.put({"type": "lifespan.startup"})
        done = await self._events.get()
        if done["type"] != "lifespan.startup.complete":
            raise SystemExit(f"start-up failed: {done}")
        status, body = await self.call("POST", "/keys", b"", self.admin,
                                       orjson.dumps({"name": "cpu", "roles": ["screen"]}),
                                       "application/json")  # fmt: skip
        if status != 200 and status != 201:
            raise SystemExit(f"could not make a key: {status} {body[:200]!r}")
        self.key = orjson.loads(body)["key"]

    async def stop(self) -> None:
        await self._startup.put({"type": "lifespan.shutdown"})
        if self._lifespan is not None:
            await self._lifespan

    async def call(
        self, method: str, path: str, query: bytes, key: str, body: bytes, kind: str = ""
    ) -> tuple[int, bytes]:
        headers = [(b"host", b"127.0.0.1"), (b"authorization", f"ApiKey {key}".encode())]
        if body:
            headers += [(b"content-type", kind.encode()),
                        (b"content-length", str(len(body)).encode())]  # fmt: skip
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "root_path": "", "query_string": query, "headers": headers,
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        }  # fmt: skip
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # a client that stays connected
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)

    def request(self, endpoint: str, schema: str, name: str) -> tuple[str, str, bytes, bytes, str]:
        """(method, path, query string, body, content type) of one query, as the load test's."""
        if endpoint == "search":
            query = urlencode({"q": name, "limit": 5, "simple": "true"}).encode()
            return "GET", f"/search/{self.dataset}", query, b"", ""
        if endpoint == "reconcile":
            q = {"q0": {"query": name, "type": schema, "limit": 5}}
            body = urlencode({"queries": orjson.dumps(q).decode()}).encode()
            return ("POST", f"/reconcile/{self.dataset}", b"", body,
                    "application/x-www-form-urlencoded")  # fmt: skip
        example = {"schema": schema, "properties": {"name": [name]}}
        body = orjson.dumps({"queries": {"q": example}})
        return "POST", f"/match/{self.dataset}", b"", body, "application/json"

    async def run_pass(self, endpoint: str, concurrency: int) -> dict[str, Any]:
        """Every query once; CPU and wall seconds of the whole process, and the errors."""
        requests = [self.request(endpoint, s, n) for s, n in self.names]
        errors: list[str] = []
        pending = iter(requests)

        async def lane() -> None:
            for method, path, query, body, kind in pending:
                status, payload = await self.call(method, path, query, self.key, body, kind)
                if status != 200 or MARKERS[endpoint] not in payload:
                    errors.append(f"{status} {payload[:120]!r}")

        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(concurrency)))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        return {"requests": len(requests), "cpu_s": cpu, "wall_s": wall,
                "errors": len(errors), "first_error": errors[0] if errors else None}  # fmt: skip


async def serve_worker(args: argparse.Namespace) -> None:
    """Answer the driver's commands on stdin (one JSON line each) until ``stop``."""
    names = [tuple(n) for n in json.loads(Path(args.names_file).read_text())]
    worker = Worker(Path(args.home), names, args.dataset)  # type: ignore[arg-type]
    await worker.start()
    print(json.dumps({"ready": True}), flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line or json.loads(line)["cmd"] == "stop":
            break
        cmd = json.loads(line)
        result = await worker.run_pass(cmd["endpoint"], cmd["concurrency"])
        print(json.dumps(result), flush=True)
    await worker.stop()


# -- the driver ------------------------------------------------------------------------------


class Side:
    """A worker process running one checkout's code over its own copy of the data."""

    def __init__(
        self, label: str, src: Path, data_dir: Path, names_file: Path, args: argparse.Namespace
    ) -> None:
        self.label = label
        self.workdir = Path(tempfile.mkdtemp(prefix=f"dprkwatch-cpu-{label}-"))
        self.home = self.workdir / "home"
        shutil.copytree(data_dir, self.home)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DPRKWATCH_")}
        env["PYTHONPATH"] = str(src.resolve())
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-worker",
               "--home", str(self.home), "--names-file", str(names_file),
               "--dataset", args.dataset]  # fmt: skip
        self.callgrind_out = self.workdir / "callgrind.out"
        self.keep_in: Path | None = args.callgrind_out
        if args.callgrind:
            cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                   f"--callgrind-out-file={self.callgrind_out}", *cmd]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def wait_ready(self) -> None:
        """Wait until the worker has built its index and made its key."""
        if not self._read().get("ready"):
            raise SystemExit(f"{self.label}: worker did not start")

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"{self.label}: worker exited (code {self.proc.wait()})")
        return dict(json.loads(line))

    def run(self, endpoint: str, concurrency: int) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"cmd": "pass", "endpoint": endpoint,
                                          "concurrency": concurrency}) + "\n")  # fmt: skip
        self.proc.stdin.flush()
        result = self._read()
        if result["errors"]:
            raise SystemExit(
                f"{self.label} {endpoint}: {result['errors']} of {result['requests']} "
                f"answers were not right, first: {result['first_error']}"
            )
        return result

    def instrument(self, on: bool) -> None:
        """Switch counting on or off in this worker's valgrind, and in no other.

        Through ``vgdb --pid``, which fails when that process is not found:
        ``callgrind_control`` given a process it does not find switches every
        callgrind run on the machine instead.
        """
        mode = "on" if on else "off"
        run = subprocess.run(["vgdb", f"--pid={self.proc.pid}", f"instrumentation {mode}"],
                             capture_output=True, text=True)  # fmt: skip
        if run.returncode != 0:
            raise SystemExit(f"{self.label}: vgdb could not switch instrumentation {mode}: "
                             f"{(run.stderr or run.stdout).strip()[-200:]}")  # fmt: skip

    def close(self) -> int | None:
        """Stop the worker; with callgrind, the instructions of its measured pass."""
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps({"cmd": "stop"}) + "\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=1800)
        counted = callgrind_total(self.callgrind_out) if self.callgrind_out.exists() else None
        if counted is not None and self.keep_in is not None:  # for callgrind_annotate
            shutil.copy(self.callgrind_out, self.keep_in / f"callgrind.{self.label}.out")
        shutil.rmtree(self.workdir, ignore_errors=True)
        return counted


def callgrind_total(path: Path) -> int:
    """The instruction count (``Ir``) that callgrind wrote at exit."""
    for line in path.read_text().splitlines():
        if line.startswith("totals:"):  # not "summary:", 0 when counting began switched off
            return int(line.split()[1])
    raise SystemExit(f"{path}: no totals line")


def query_list(data_dir: Path, count: int, seed: int) -> list[tuple[str, str]]:
    """The load test's queries (half listed and perturbed, half invented) for ``seed``."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from service_load import query_names

    return query_names(data_dir, count, seed, min_listed=MIN_LISTED)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="a data directory with the lists imported")
    parser.add_argument("--endpoint", choices=[*ENDPOINTS, "all"], default="search")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=5, help="A B B A pairs per endpoint")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--dataset", default="default")
    parser.add_argument(
        "--src",
        type=Path,
        default=REPO / "src",
        help="src folder of the code under test (default: this checkout's)",
    )
    parser.add_argument("--compare-src", type=Path, help="src folder of a reference checkout")
    parser.add_argument("--callgrind", action="store_true", help="count instructions instead")
    parser.add_argument(
        "--callgrind-out", type=Path, help="keep each side's callgrind file in this folder"
    )
    parser.add_argument("--json", type=Path, help="write every pass and the summary here")
    parser.add_argument("--serve-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--names-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_worker:
        asyncio.run(serve_worker(args))
        return 0
    if args.data_dir is None or not (args.data_dir / "active.json").exists():
        raise SystemExit(f"--data-dir {args.data_dir}: not a data directory with imported lists")
    for option, src in (("--src", args.src), ("--compare-src", args.compare_src)):
        if src is not None and not (src / "dprkwatch").is_dir():
            raise SystemExit(f"{option} {src}: no dprkwatch package there")
    if args.queries < 1:
        raise SystemExit("--queries must be at least 1")
    if args.callgrind and shutil.which("vgdb") is None:
        raise SystemExit("--callgrind needs valgrind (vgdb) on PATH")
    if args.callgrind and args.endpoint == "all":
        raise SystemExit("--callgrind counts one endpoint at a time: name it with --endpoint")

    names = query_list(args.data_dir, args.queries, args.seed)
    scratch = Path(tempfile.mkdtemp(prefix="dprkwatch-cpu-"))
    names_file = scratch / "names.json"
    names_file.write_text(json.dumps(names))
    endpoints = list(ENDPOINTS) if args.endpoint == "all" else [args.endpoint]
    sides: list[Side] = []
    load = [round(os.getloadavg()[0], 2)]
    rows: list[dict[str, Any]] = []
    try:
        sides.append(Side("this", args.src, args.data_dir, names_file, args))
        if args.compare_src is not None:
            sides.append(Side("reference", args.compare_src, args.data_dir, names_file, args))
        for side in sides:  # both start at once: under valgrind that takes minutes
            side.wait_ready()
        for endpoint in endpoints:
            for side in sides:  # warm-up: first-time analysis of listed names, caches
                side.run(endpoint, args.concurrency)
            if args.callgrind:
                for side in sides:
                    side.instrument(True)
                    side.run(endpoint, args.concurrency)
                    side.instrument(False)
                continue
            for r in range(args.rounds):
                order = sides if r % 2 == 0 else sides[::-1]
                for side in order:
                    res = side.run(endpoint, args.concurrency)
                    rows.append({"endpoint": endpoint, "side": side.label, "round": r,
                                 "cpu_ms_per_request": 1000 * res["cpu_s"] / res["requests"],
                                 "wall_ms_per_request": 1000 * res["wall_s"] / res["requests"],
                                 "loadavg_1m": round(os.getloadavg()[0], 2)})  # fmt: skip
    finally:
        counted = {side.label: side.close() for side in sides}
    load.append(round(os.getloadavg()[0], 2))
    if args.callgrind:
        summary: list[dict[str, Any]] = [
            {"endpoint": endpoints[0], "side": label, "instructions": n,
             "instructions_per_request": round((n or 0) / args.queries)}
            for label, n in counted.items()
        ]  # fmt: skip
    else:
        summary = summarise(rows, endpoints, [s.label for s in sides])
    for line in summary:
        print(json.dumps(line))
    print(f"load average (1 min) before/after: {load[0]}/{load[1]}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps({"passes": rows, "summary": summary, "load": load},
                                        indent=1))  # fmt: skip
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


def summarise(rows: list[dict[str, Any]], endpoints: list[str], labels: list[str]) -> list[Any]:
    out: list[dict[str, Any]] = []
    for endpoint in endpoints:
        med = {}
        for label in labels:
            cpu = [r["cpu_ms_per_request"] for r in rows
                   if r["endpoint"] == endpoint and r["side"] == label]  # fmt: skip
            med[label] = statistics.median(cpu)
            out.append({"endpoint": endpoint, "side": label, "passes": len(cpu),
                        "median_cpu_ms": round(med[label], 3),
                        "min_cpu_ms": round(min(cpu), 3), "max_cpu_ms": round(max(cpu), 3)})  # fmt: skip
        if len(labels) == 2:
            a = [r["cpu_ms_per_request"] for r in rows
                 if r["endpoint"] == endpoint and r["side"] == labels[0]]  # fmt: skip
            b = [r["cpu_ms_per_request"] for r in rows
                 if r["endpoint"] == endpoint and r["side"] == labels[1]]  # fmt: skip
            out.append({"endpoint": endpoint,
                        "ratio_this_to_reference": round(med[labels[0]] / med[labels[1]], 3),
                        "pairs_this_lower": sum(x < y for x, y in zip(a, b, strict=True)),
                        "pairs": len(a)})  # fmt: skip
    return out


if __name__ == "__main__":
    raise SystemExit(main())
