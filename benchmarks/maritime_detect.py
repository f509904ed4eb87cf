"""Benchmark: AIS positions through every maritime detector, with accuracy on planted events.

Targets (issue 7): 20 million positions through all detectors in 10 s or less
on 2 cores with the embedded engine; memory bounded by day partitions;
recall >= 0.98 and precision >= 0.95 on planted events; Spark reported beside.

Steps, each timed on the wall clock and in process CPU seconds (all threads):

1. generate synthetic AIS with planted truth and decoys (vectorised numpy);
2. ingest it into a fresh store (day partitions sorted by MMSI and time);
3. detect with the embedded engine, ``--runs`` times, each in a fresh
   process so its peak resident memory is its own;
4. score the events against the planted truth (recall, precision per type);
5. with ``--spark``, run the Spark engine on the same store (fresh process)
   and check that it reports identical events.

Detection time is the ``detect`` command's work: reading the store, every
detector, and finalising the events table; generation and ingest are
reported separately. The machine's load average is printed, since other
jobs on a shared machine inflate wall times; CPU seconds do not depend on
them as much.

    python benchmarks/maritime_detect.py [--positions 20000000] [--days 7] [--runs 3] [--spark] [--markdown]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl

from dprkwatch.maritime import PositionStore, Rules, ingest, load_ports, run_detection
from dprkwatch.maritime.evaluate import score
from dprkwatch.maritime.synthetic import SynthConfig, generate

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 10.0
# Positions per background vessel and day in SynthConfig.scaled, planted vessels included
# (measured: 20,016,242 positions from 3,320 vessels over 7 days).
POSITIONS_PER_VESSEL_DAY = 861


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> dict[str, float]:
    return {
        "wall_s": round(time.perf_counter() - start[0], 3),
        "cpu_s": round(time.process_time() - start[1], 3),
    }


def _peak_rss_mb() -> float:
    """This process's peak resident memory since it started (VmHWM).

    ``getrusage`` is no good here: its maximum survives fork and exec, so a
    child started by a large parent would report the parent's size.
    """
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def stage_detect(store: Path, ports: Path, engine: str, events_out: Path) -> dict[str, Any]:
    """Run one detection in this process and report time and peak memory."""
    t = _clock()
    run = run_detection(PositionStore(store), load_ports(ports), Rules(), engine=engine)
    out = _since(t)
    run.events.write_parquet(events_out)
    out.update(
        engine=engine,
        positions=run.detection.positions,
        days=run.detection.days,
        events=run.events.height,
        stages={k: round(v, 3) for k, v in run.detection.seconds.items()},
        max_rss_mb=_peak_rss_mb(),
    )
    return out


def _subprocess_detect(store: Path, ports: Path, engine: str, events_out: Path) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--stage",
        "detect",
        "--store",
        str(store),
        "--ports",
        str(ports),
        "--engine",
        engine,
        "--events",
        str(events_out),
    ]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--positions", type=int, default=20_000_000, help="approximate positions to generate"
    )
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=3, help="embedded detection runs (median reported)")
    ap.add_argument(
        "--spark", action="store_true", help="also run the Spark engine on the same store"
    )
    ap.add_argument(
        "--out", type=Path, default=HERE / "out" / "maritime", help="work folder (replaced)"
    )
    ap.add_argument("--markdown", action="store_true", help="print the docs tables")
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--ports", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--engine", default="polars", help=argparse.SUPPRESS)
    ap.add_argument("--events", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.stage == "detect":
        print(json.dumps(stage_detect(args.store, args.ports, args.engine, args.events)))
        return

    out: Path = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    vessels = max(10, round(args.positions / (args.days * POSITIONS_PER_VESSEL_DAY)))
    cfg = SynthConfig.scaled(vessels, args.days, seed=args.seed)
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_before": os.getloadavg(),
        },
        "config": {"vessels": vessels, "days": args.days, "seed": args.seed},
    }

    t = _clock()
    syn = generate(cfg)
    report["generate"] = {
        **_since(t),
        "positions": syn.positions.height,
        "truth": syn.truth.height,
        "decoys": syn.decoys.height,
    }
    syn.write(out / "data")
    truth = syn.truth
    del syn  # free the generated positions before measuring anything else
    gc.collect()
    print(
        f"generated {report['generate']['positions']:,} positions for {vessels} vessels over {args.days} days "
        f"({report['generate']['wall_s']} s)",
        flush=True,
    )

    store_dir = out / "store"
    t = _clock()
    ing = ingest(PositionStore(store_dir), [out / "data" / "positions.parquet"])
    report["ingest"] = {
        **_since(t),
        "kept": ing.quality.positions_kept,
        "skipped": ing.quality.total_skipped,
    }
    days = PositionStore(store_dir).days()
    report["ingest"]["largest_day_rows"] = max(d.rows for d in days)
    print(f"ingested in {report['ingest']['wall_s']} s", flush=True)

    ports = out / "data" / "ports.csv"
    runs = []
    for i in range(args.runs):
        r = _subprocess_detect(store_dir, ports, "polars", out / "events_polars.parquet")
        runs.append(r)
        print(
            f"embedded run {i + 1}: {r['wall_s']} s wall, {r['cpu_s']} s CPU, {r['max_rss_mb']} MB peak "
            f"(load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    report["embedded"] = {
        "runs": runs,
        "median_wall_s": statistics.median(r["wall_s"] for r in runs),
        "median_cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "max_rss_mb": max(r["max_rss_mb"] for r in runs),
    }
    # Bounded memory: the same detection over the first day alone should peak about as high.
    one_day = out / "store_one_day"
    ingest(PositionStore(one_day), [days[0].path])
    single = _subprocess_detect(one_day, ports, "polars", out / "events_one_day.parquet")
    report["embedded"]["one_day"] = {
        "positions": single["positions"],
        "max_rss_mb": single["max_rss_mb"],
        "wall_s": single["wall_s"],
    }
    print(
        f"one day only: {single['positions']:,} positions, {single['max_rss_mb']} MB peak",
        flush=True,
    )
    events = pl.read_parquet(out / "events_polars.parquet")
    report["accuracy"] = [s.to_dict() for s in score(events, truth)]

    if args.spark:
        sr = _subprocess_detect(store_dir, ports, "spark", out / "events_spark.parquet")
        spark_events = pl.read_parquet(out / "events_spark.parquet")
        sr["identical_events"] = bool(spark_events.equals(events))
        report["spark"] = sr
        print(
            f"spark: {sr['wall_s']} s wall, identical events: {sr['identical_events']}", flush=True
        )

    report["machine"]["load_after"] = os.getloadavg()
    (out / "results.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    _print(report, args.markdown)


def _print(report: dict[str, Any], markdown: bool) -> None:
    emb = report["embedded"]
    n = report["generate"]["positions"]
    rows = [
        ("generate (numpy)", report["generate"]["wall_s"], report["generate"]["cpu_s"], "", ""),
        (
            "ingest (into day partitions)",
            report["ingest"]["wall_s"],
            report["ingest"]["cpu_s"],
            "",
            "",
        ),
        (
            "detect, embedded (median)",
            emb["median_wall_s"],
            emb["median_cpu_s"],
            emb["max_rss_mb"],
            "yes" if emb["median_wall_s"] <= TARGET_SECONDS else "no",
        ),
    ]
    if "spark" in report:
        sp = report["spark"]
        rows.append(
            (
                "detect, Spark local[2]",
                sp["wall_s"],
                sp["cpu_s"],
                f"{sp['max_rss_mb']} + JVM (2 GB heap)",
                f"identical: {sp['identical_events']}",
            )
        )
    print(
        f"\n{n:,} positions, {report['config']['vessels']} vessels, {report['config']['days']} days; "
        f"load average before {report['machine']['load_before'][0]:.1f}, after {report['machine']['load_after'][0]:.1f}"
    )
    one = emb["one_day"]
    print(
        f"peak memory: {emb['max_rss_mb']} MB for all {report['config']['days']} days, {one['max_rss_mb']} MB "
        f"for the first day alone ({one['positions']:,} positions)"
    )
    if markdown:
        print("\n| step | wall s | CPU s | peak MB | target met |\n|---|---:|---:|---:|---|")
        for r in rows:
            print("| " + " | ".join(str(x) for x in r) + " |")
        print(
            "\n| event type | planted | detected | matched | recall | precision |\n|---|---:|---:|---:|---:|---:|"
        )
        for a in report["accuracy"]:
            print(
                f"| {a['event_type']} | {a['truth']} | {a['detected']} | {a['matched']} | {a['recall']:.4f} | "
                f"{a['precision']:.4f} |"
            )
    else:
        for r in rows:
            print(f"{r[0]:32s} wall {r[1]:>8} s  cpu {r[2]:>8} s  {r[3]}  {r[4]}")
        for a in report["accuracy"]:
            print(f"{a['event_type']:16s} recall {a['recall']:.4f} precision {a['precision']:.4f}")


if __name__ == "__main__":
    main()
