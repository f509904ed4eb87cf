"""``kill -9`` of ``dprkwatch lists import`` at 2, 4 and 6 s: how soon the next import starts.

Issue 19 (finding F3): after ``kill -9`` of a CLI import its forked workers
lived on with the data directory's lock, and every later import hung. The
target: kill the import at 2, 4 and 6 seconds, and the next import starts
within 5 s. For each delay this script

1. runs ``dprkwatch --data-dir HOME lists import FILES`` in a fresh data
   directory (the real lists from ``../shared/data``, else the service test
   fixtures, which import too fast to be caught: then it fails);
2. sends SIGKILL to that process only, ``--kill`` seconds after it started
   (its workers get no signal from here), noting whether it held the lock
   and how many workers it had;
3. at once starts the same import again and times how long until it holds
   the lock - the moment it *starts importing*: ``dprkwatch.durable.locked``
   writes the holder's pid into the lock file as it takes the lock - and
   how long it takes in all, and checks it succeeds;
4. checks that none of the killed import's workers is alive 5 s after.

The reference is the same start time of an import into a fresh data
directory with nothing killed before it, taken alternately in the same run:
the difference is what the kill costs. A run where the import had already
finished at the kill measures nothing and fails.

    python benchmarks/import_kill.py [--kill 2 4 6] [--repeat 1] [--lists FILE ...] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service_load import REPO, default_lists

TARGET_S = 5.0


def launch(home: Path, files: list[Path]) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DPRKWATCH_")}
    return subprocess.Popen(
        [sys.executable, "-m", "dprkwatch", "--data-dir", str(home), "lists", "import",
         *map(str, files)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def lock_file(home: Path) -> Path:
    from dprkwatch.lists import SnapshotStore

    return SnapshotStore(home).layout.lists_lock


def holder(home: Path) -> int | None:
    from dprkwatch.durable import lock_holder

    return lock_holder(lock_file(home))


def children_cpu() -> float:
    """CPU seconds (user + system) of this script's children reaped so far, theirs included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
                if int(fields[1]) == pid and fields[0] != "Z":
                    found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def timed_start(home: Path, files: list[Path], limit: float) -> dict[str, Any]:
    """Start an import; seconds until it holds the lock, and until it ends (and how)."""
    t0, cpu0 = time.perf_counter(), children_cpu()
    proc = launch(home, files)
    started = None
    while proc.poll() is None and time.perf_counter() - t0 < limit:
        if holder(home) == proc.pid:
            started = time.perf_counter() - t0
            break
        time.sleep(0.01)
    _out, err = proc.communicate(timeout=1800)
    return {
        "start_s": round(started, 3) if started is not None else None,
        "total_s": round(time.perf_counter() - t0, 2),
        "cpu_s": round(children_cpu() - cpu0, 2),
        "exit": proc.returncode,
        "error": err.decode("utf-8", "replace").strip().splitlines()[-1:]
        if proc.returncode
        else [],
    }


def killed_then_next(files: list[Path], delay: float, limit: float) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="dprkwatch-kill-"))
    home = work / "home"
    try:
        victim = launch(home, files)
        t0 = time.perf_counter()
        workers: set[int] = set()
        while time.perf_counter() - t0 < delay and victim.poll() is None:
            workers |= children_of(victim.pid)
            time.sleep(0.02)
        if victim.poll() is not None:
            return {"kill_at_s": delay, "problem": "the import had ended before the kill"}
        workers |= children_of(victim.pid)
        held = holder(home) == victim.pid
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        after = time.perf_counter()
        nxt = timed_start(home, files, limit)
        while time.perf_counter() - after < 5:
            time.sleep(0.05)
        survivors = sorted(w for w in workers if alive(w))
        for pid in survivors:  # do not leave them behind, whatever the result
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return {
            "kill_at_s": delay,
            "victim_held_lock": held,
            "victim_workers": len(workers),
            "workers_alive_5s_after_kill": len(survivors),
            "next": nxt,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def reference(files: list[Path], limit: float) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="dprkwatch-kill-ref-"))
    try:
        return timed_start(work / "home", files, limit)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--kill", type=float, nargs="+", default=[2.0, 4.0, 6.0])
    ap.add_argument("--repeat", type=int, default=1, help="runs per delay")
    ap.add_argument("--lists", nargs="*", help="list files (default: the real lists)")
    ap.add_argument("--limit", type=float, default=90.0, help="give up waiting for a start")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    files = [Path(p) for p in args.lists] if args.lists else default_lists()
    missing = [str(p) for p in files if not p.exists()]
    if not files or missing:
        raise SystemExit(f"no list files to import ({', '.join(missing) or 'none given'})")
    load_before = os.getloadavg()
    runs, refs = [], []
    for _ in range(args.repeat):
        for delay in args.kill:
            refs.append(reference(files, args.limit))
            run = killed_then_next(files, delay, args.limit)
            run["loadavg_1min"] = round(os.getloadavg()[0], 2)
            runs.append(run)
            print(json.dumps(run), file=sys.stderr)
    problems = [r["problem"] for r in runs if "problem" in r]
    measured = [r for r in runs if "next" in r]
    ok = (
        not problems
        and all(r["next"]["exit"] == 0 and r["workers_alive_5s_after_kill"] == 0 for r in measured)
        and all(ref["exit"] == 0 for ref in refs)
        and all(
            r["next"]["start_s"] is not None and r["next"]["start_s"] <= TARGET_S for r in measured
        )
    )
    ref_starts = [r["start_s"] for r in refs if r["start_s"] is not None]
    report = {
        "conditions": {
            "cpus": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "files": [p.name for p in files],
        },
        "reference_start_s_median": round(statistics.median(ref_starts), 3) if ref_starts else None,
        "reference_total_s_median": round(statistics.median(r["total_s"] for r in refs), 2),
        "reference_cpu_s_median": round(statistics.median(r["cpu_s"] for r in refs), 2),
        "runs": runs,
        "problems": problems,
        "target_met": ok,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(summary(report), file=sys.stderr)
    return 0 if ok else 1


def summary(report: dict[str, Any]) -> str:
    """The figures in a few lines: per kill, how soon the next import held the lock."""
    c = report["conditions"]
    lines = [
        f"load average before {c['loadavg_before']}, after {c['loadavg_after']}; reference "
        f"(nothing killed): lock after {report['reference_start_s_median']} s, import "
        f"{report['reference_total_s_median']} s wall, {report['reference_cpu_s_median']} s CPU"
    ]
    for r in report["runs"]:
        if "next" not in r:
            lines.append(f"- kill at {r['kill_at_s']:g} s: {r['problem']}")
            continue
        n = r["next"]
        lines.append(
            f"- kill at {r['kill_at_s']:g} s (held the lock: {r['victim_held_lock']}, "
            f"{r['victim_workers']} workers, {r['workers_alive_5s_after_kill']} alive 5 s "
            f"later): next import held the lock after {n['start_s']} s, ended in "
            f"{n['total_s']} s wall, {n['cpu_s']} s CPU, exit {n['exit']}; 1-min load "
            f"{r['loadavg_1min']}"
        )
    lines.append(f"target (next import starts within {TARGET_S:g} s): "
                 f"{'met' if report['target_met'] else 'NOT met'}")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
