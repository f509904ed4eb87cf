"""Benchmark: the web workbench's data endpoints and pages on the real data.

Targets (set for interactive use on 2 cores; there is no issue target):

* each JSON endpoint, warm (analyses cached)                    < 0.3 s
* the first ledger answer after start-up (gather of the real
  list history) and the first arsenal answer (Monte Carlo)      < 5 s each
* each page rendered in Chromium, data and chart, warm          < 2 s
* the JavaScript bundle, gzipped                                < 200 KB

The real lists (UN 2021 and 2026, OFAC 2019/2021/2024, EU) and the CNS,
CSIS and OFAC first-seen files are imported into a temporary data directory
first, unless ``--home`` names one that has them. The maritime run is 5,000
events made by repeating the web test fixture with jitter (the endpoint's
default page size); detection itself is benchmarked by the maritime area.

    python benchmarks/web_workbench.py [--shared ../shared/data] [--home DIR] [--runs 5] [--markdown]
"""

from __future__ import annotations

import argparse
import gzip
import os
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import polars as pl
import uvicorn

from dprkwatch.ledger import LedgerStore, expand
from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.maritime import PositionStore, read_events
from dprkwatch.maritime.schema import empty
from dprkwatch.maritime.store import IDENTITY_SCHEMA
from dprkwatch.service.api.app import create_app
from dprkwatch.settings import Settings
from dprkwatch.web.bundle import Bundle

REPO = Path(__file__).resolve().parent.parent
LIST_FILES = (
    "un/history/un_consolidated_2021-01-27.xml",
    "un/un_consolidated_2026-02-27.xml",
    "ofac/sdn_2019-01_set",
    "ofac/sdn_2021-07_set",
    "ofac/sdn_2024-05-03",
    "eu/eu_fsf_ammitto_2026-05-01.yaml",
)
EVENT_FILES = ("dprk", "ofac/derived/sdn_entry_lifetimes_2021-08_2024-05.csv")
EVENTS_FIXTURE = REPO / "tests" / "fixtures" / "web" / "maritime_events.csv"
ADMIN = "benchmark-admin-key-of-32-or-more-characters"
ENDPOINTS = (
    "/lists",
    "/lists/versions",
    "/ledger/timeline",
    "/ledger/pressure",
    "/ledger/compliance",
    "/ledger/claims",
    "/arsenal",
    "/arsenal/increment?start=singapore&end=hanoi",
    "/maritime/events",
)
PAGES = {
    "screen": "form[aria-label='Screening query']",
    "lists": "section[aria-labelledby=active-title] table",
    "ledger/timeline": "figure.chart svg",
    "ledger/pressure": ".pressure-chart svg",
    "ledger/compliance": "table.matrix",
    "ledger/claims": "article.claim",
    "arsenal": "figure.chart svg g.estimate",
    "maritime": "svg g.maritime-event",
}
TARGETS = {"warm endpoint": 0.3, "cold": 5.0, "page": 2.0, "bundle gzip KB": 200}


def prepare(home: Path, shared: Path) -> None:
    import_paths(SnapshotStore(home), [shared / p for p in LIST_FILES])
    chosen, _ = expand([shared / p for p in EVENT_FILES])
    store = LedgerStore(home)
    for path, importer in chosen:
        store.save(importer.load(path))
    base = read_events(EVENTS_FIXTURE)
    copies = []
    for i in range(1250):
        copies.append(
            base.with_columns(pl.col("lat") + (i % 50) * 0.01, pl.col("lon") + (i // 50) * 0.01)
        )
    PositionStore(home / "maritime").save_events(
        pl.concat(copies), empty(IDENTITY_SCHEMA), {"engine": "benchmark"}
    )


def serve(settings: Settings) -> tuple[str, uvicorn.Server, threading.Thread]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread


def timed_get(client: httpx.Client, path: str) -> float:
    t = time.perf_counter()
    r = client.get(path)
    r.raise_for_status()
    return time.perf_counter() - t


def page_times(base: str, key: str, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]  # fmt: skip
    out: dict[str, list[float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/#key={key}")
        page.wait_for_selector("nav")
        for route, selector in PAGES.items():
            times = []
            for _ in range(runs + 1):  # the first run warms the service's caches
                page.goto("about:blank")
                t = time.perf_counter()
                page.goto(f"{base}/#/{route}")
                page.wait_for_selector(selector, timeout=60_000)
                times.append(time.perf_counter() - t)
            out[route] = times[1:]
        browser.close()
    return out


def bundle_sizes() -> tuple[int, int, int]:
    assets = Bundle().root / "assets"
    js = b"".join(p.read_bytes() for p in assets.glob("*.js"))
    total = sum(p.stat().st_size for p in assets.iterdir())
    return len(js), len(gzip.compress(js)), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory() if args.home is None else None
    root = Path(tmp.name) if tmp else args.home
    home = root / "home" if tmp else args.home
    if tmp is not None:
        t = time.perf_counter()
        prepare(home, args.shared)
        print(f"prepared the data directory in {time.perf_counter() - t:.1f}s")
    settings = Settings(
        home=home, database_url=f"sqlite:///{root / 'bench.sqlite3'}", admin_key=ADMIN, key_ttl=5
    )
    base, server, thread = serve(settings)
    rows: list[tuple[str, float, float, float, float, float | None]] = []
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"ApiKey {ADMIN}"}, timeout=120
        ) as client:
            while client.get("/readyz").status_code != 200:
                time.sleep(0.1)
            for path in ENDPOINTS:
                cold = timed_get(client, path)
                warm = [timed_get(client, path) for _ in range(args.runs)]
                size = len(client.get(path).content)
                rows.append(
                    (path, cold, statistics.median(warm), min(warm), max(warm), size / 1024)
                )
            key = client.post(
                "/keys", json={"name": "bench", "roles": ["screen", "review"]}
            ).json()["key"]
        pages = (
            page_times(base, key, args.runs)
            if Path("/usr/bin/chromium").exists() and Bundle().built
            else {}
        )
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    js, js_gz, total = bundle_sizes() if Bundle().built else (0, 0, 0)
    load = os.getloadavg()

    ok = lambda v, target: "yes" if v < target else "NO"  # noqa: E731
    if args.markdown:
        print(
            f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {args.runs} warm runs each\n"
        )
        print(
            "| endpoint | cold (s) | warm median (s) | min | max | KB | warm < 0.3 s | cold < 5 s |"
        )
        print("|---|---:|---:|---:|---:|---:|---|---|")
        for path, cold, med, lo, hi, kb in rows:
            print(
                f"| `{path}` | {cold:.3f} | {med:.3f} | {lo:.3f} | {hi:.3f} | {kb:.0f} "
                f"| {ok(med, 0.3)} | {ok(cold, 5.0)} |"
            )
        if pages:
            print("\n| page | median (s) | min | max | < 2 s |")
            print("|---|---:|---:|---:|---|")
            for route, times in pages.items():
                med = statistics.median(times)
                print(
                    f"| {route} | {med:.3f} | {min(times):.3f} | {max(times):.3f} | {ok(med, 2.0)} |"
                )
        print(
            f"\nJavaScript {js / 1024:.0f} KB ({js_gz / 1024:.0f} KB gzipped, "
            f"target < 200: {ok(js_gz / 1024, 200)}); all assets {total / 1024:.0f} "
            f"KB"
        )
    else:
        for path, cold, med, lo, hi, kb in rows:
            print(
                f"{path:48s} cold {cold:.3f}s  warm median {med:.3f}s (min {lo:.3f}, max {hi:.3f})  {kb:.0f} KB"
            )
        for route, times in pages.items():
            print(
                f"page {route:20s} median {statistics.median(times):.3f}s  min {min(times):.3f}  max {max(times):.3f}"
            )
        print(
            f"bundle: JS {js / 1024:.0f} KB, gzipped {js_gz / 1024:.0f} KB; all assets {total / 1024:.0f} KB"
        )
        print(f"load average: {load}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
