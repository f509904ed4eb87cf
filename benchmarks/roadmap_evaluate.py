"""Benchmark: ``dprkwatch roadmap evaluate`` end to end, every proposal, 200,000 draws each.

Target (issue 16): the whole command - a fresh process, imports, loading and
validating the roadmap and the ledger, drawing the parameters, evaluating
every encoded proposal and printing the JSON - in at most 3 s on 2 cores.

Timed from outside, as a user runs it (fresh process each run, wall clock):

* ``roadmap``  ``dprkwatch roadmap evaluate --json`` (every proposal);
* ``arsenal``  ``dprkwatch arsenal increment hanoi 2026 --json``, one arsenal
  query on the same 200,000 draws - the peer command's own cost, run
  alternately with the first so both see the same machine.

Then, in one fresh process, each step of the roadmap command on its own:
imports, loading the data, drawing, evaluating, serialising; and as a
reference the straightforward way of doing the same work - one evaluation
per proposal, each its own pass over the draws.

CPU seconds (user + system of the child, from the operating system) are
printed beside wall time: they do not depend on what else the machine runs,
so on a loaded machine they say what the command would take on idle cores
(the Monte Carlo part runs on two threads, so idle wall time is below CPU).

The script fails (exit 1) if the evaluation comes back with fewer proposals
than the data holds, or with no draws: an empty run is not a fast run.

    python benchmarks/roadmap_evaluate.py [--runs 5] [--draws 200000] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET_S = 3.0

STEPS = r"""
import json, sys, time
t, c = [time.perf_counter()], [time.process_time()]
def mark():
    t.append(time.perf_counter()); c.append(time.process_time())
from dprkwatch.arsenal import load_model
from dprkwatch.roadmap import evaluate, load_roadmap
from dprkwatch.cli.output import to_json
mark()
rm = load_roadmap()
mark()
model = load_model(draws=DRAWS)
model.draws
mark()
ev = evaluate(model, rm)
mark()
out = to_json(ev.to_dict(rm))
mark()
ref = [evaluate(model, rm, [p]) for p in rm.proposals]
mark()
assert [r.results[0].values for r in ref] == [r.values for r in ev.results]
print(json.dumps({"steps": [b - a for a, b in zip(t, t[1:])], "cpu": [b - a for a, b in zip(c, c[1:])],
                  "proposals": len(ev.results), "expected": len(rm.proposals), "bytes": len(out)}))
"""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def wall(cmd: list[str], cpu: list[float] | None = None) -> tuple[float, str]:
    """Wall seconds of one fresh process (and its CPU seconds, appended to ``cpu``)."""
    before = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.strip()}")
    if cpu is not None:
        cpu.append(_children_cpu() - before)
    return elapsed, done.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--draws", type=int, default=200_000)
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = ap.parse_args()
    exe = str(BIN / "dprkwatch")
    draws = ["--draws", str(args.draws)]
    roadmap = [exe, "roadmap", "evaluate", "--json", *draws]
    arsenal = [exe, "arsenal", "increment", "hanoi", "2026", "--json", *draws]

    _, out = wall(roadmap)  # warm-up (page cache, .pyc files); also the emptiness check
    data = json.loads(out)
    if data["draws"] != args.draws or len(data["proposals"]) < 7:
        print(
            f"FAIL: expected 7+ proposals with {args.draws:,} draws, got {len(data['proposals'])}"
        )
        return 1
    load_before = os.getloadavg()
    times: dict[str, list[float]] = {"roadmap": [], "arsenal": []}
    cpus: dict[str, list[float]] = {"roadmap": [], "arsenal": []}
    for _ in range(args.runs):  # alternate, so both commands see the same machine
        times["roadmap"].append(wall(roadmap, cpus["roadmap"])[0])
        times["arsenal"].append(wall(arsenal, cpus["arsenal"])[0])
    load_after = os.getloadavg()

    script = STEPS.replace("DRAWS", str(args.draws))
    step_runs = [json.loads(wall([sys.executable, "-c", script])[1]) for _ in range(3)]
    if any(r["proposals"] != r["expected"] or r["proposals"] == 0 for r in step_runs):
        print("FAIL: the in-process evaluation lost proposals")
        return 1
    names = ["imports", "load roadmap + ledger", "draws", "evaluate (all, one pass)", "serialise"]
    steps = {
        n: (
            statistics.median(r["steps"][i] for r in step_runs),
            statistics.median(r["cpu"][i] for r in step_runs),
        )
        for i, n in enumerate(names)
    }
    reference = (
        statistics.median(r["steps"][5] for r in step_runs),
        statistics.median(r["cpu"][5] for r in step_runs),
    )

    med = statistics.median(times["roadmap"])
    cond = (
        f"{args.draws:,} draws per proposal, {len(data['proposals'])} proposals, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average "
        f"{load_before[0]:.2f} before / {load_after[0]:.2f} after"
    )
    if args.markdown:
        print(f"Conditions: {cond}\n")
        print(
            "| command (fresh process) | median s | min s | max s | CPU s (median) | target 3 s |"
        )
        print("|---|---|---|---|---|---|")
        for name, label in (
            ("roadmap", "`roadmap evaluate --json`"),
            ("arsenal", "`arsenal increment hanoi 2026 --json`"),
        ):
            ts = times[name]
            verdict = (
                ("met" if statistics.median(ts) <= TARGET_S else "missed")
                if name == "roadmap"
                else "-"
            )
            print(
                f"| {label} | {statistics.median(ts):.2f} | {min(ts):.2f} | {max(ts):.2f} "
                f"| {statistics.median(cpus[name]):.2f} | {verdict} |"
            )
        print("\n| step (in one process, median of 3) | wall s | CPU s |")
        print("|---|---|---|")
        for n, (w, cp) in steps.items():
            print(f"| {n} | {w:.3f} | {cp:.3f} |")
        print(f"| reference: one pass per proposal | {reference[0]:.3f} | {reference[1]:.3f} |")
    else:
        print(cond)
        for name, ts in times.items():
            print(
                f"{name:8} median {statistics.median(ts):.2f} s  (min {min(ts):.2f}, "
                f"max {max(ts):.2f}; CPU {statistics.median(cpus[name]):.2f} s)"
            )
        for n, (w, cp) in steps.items():
            print(f"  {n:28} {w:.3f} s (CPU {cp:.3f} s)")
        print(f"  {'reference (per proposal)':28} {reference[0]:.3f} s (CPU {reference[1]:.3f} s)")
        print(
            f"target {TARGET_S:.0f} s: {'met' if med <= TARGET_S else 'missed'} (median {med:.2f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
