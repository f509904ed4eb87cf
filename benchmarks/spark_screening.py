"""The Spark engine against the local engine, end to end through the command line.

    python benchmarks/spark_screening.py [--data ../shared/data] [--subjects 1000000]
        [--small 2000] [--change 0.01] [--seed 7] [--work DIR] [--markdown]

With OFAC, UN, EU and UK imported into a fresh data directory, on one
synthetic book of subjects (people recombined from yente's non-listed
names with birth dates and nationalities, plus 2 % listed names and
misspellings of them), and in this order:

1. ``dprkwatch screen --input book.parquet --output local.parquet --workers 2``
   (the local engine on 2 cores) and ``dprkwatch screen --engine spark``
   (``local[2]``) on the same file, each as its own process, timed from
   outside: wall clock, CPU of the process and everything it waited for
   (the JVM included), and the load average before and after. The two
   outputs are compared subject by subject (``hit_compare.py``: the
   subjects that differ, and the differing rows among those both files
   hold); any difference fails the run.
2. Spark's fixed overhead: both commands again on the first ``--small``
   subjects; the difference of the two wall clocks, and the steps the
   Spark command reports (session start, index shipping).
3. A list update: a new version of the UN list in which 1 % of all DPRK
   entities in the index (``--change``) get a new alias, imported as a
   user would; then ``--engine spark --previous spark.parquet`` (delta
   screening) and a full local screen against the new lists. Reports the
   share of the book re-screened and re-scored, and the subjects (and
   rows) in which the delta's output differs from the full screen; any
   difference fails the run, as in step 1.

Throughput is subjects per second of wall clock. The machine is shared,
so the load average is printed beside every figure. A book or a list set
smaller than asked for ends the run with an error.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.matching import Screener
from hit_compare import compare
from inputs import FOUR_LISTS_MIN_ENTITIES, fail, require_entities, require_file
from matching_eval import LIST_FILES

UN_FILE = "un/un_consolidated_2026-02-27.xml"
CLI = str(Path(sys.executable).with_name("dprkwatch"))


def load3() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run_cli(home: Path, *args: str) -> dict[str, Any]:
    """Run ``dprkwatch --data-dir HOME ARGS --json``; wall, CPU (with children) and its report."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = load3()
    t0 = time.perf_counter()
    proc = subprocess.run(
        [CLI, "--data-dir", str(home), *args, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        fail(f"dprkwatch {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    report = json.loads(proc.stdout)
    return {"wall": wall, "cpu": cpu, "load": f"{load_before} -> {load3()}", "report": report}


def make_book(screener: Screener, data: Path, n: int, seed: int, path: Path) -> None:
    """``n`` subjects: recombined non-listed people, and 2 % listed names or misspellings."""
    rng = random.Random(seed)
    with require_file(data / "matching" / "yente_negatives_global.csv").open(
        encoding="utf-8"
    ) as fh:
        people = [r for r in csv.DictReader(fh) if r["first_name"] and r["last_name"]]
    if len(people) < 1000:
        fail(f"only {len(people)} people in yente_negatives_global.csv")
    listed = [r for r in screener.index.records if r.caption]
    ids, names, schemas, births, countries = [], [], [], [], []
    for i in range(n):
        ids.append(f"c{i:08d}")
        if rng.random() < 0.02:
            rec = rng.choice(listed)
            name = rec.caption
            if rng.random() < 0.5 and len(name) > 5:
                cut = rng.randrange(1, len(name) - 1)
                name = name[:cut] + name[cut + 1 :]
            names.append(name)
            schemas.append(rec.schema if rec.schema != "LegalEntity" else "Thing")
            births.append(None)
            countries.append(None)
            continue
        first, last, other = rng.choice(people), rng.choice(people), rng.choice(people)
        names.append(f"{first['first_name']} {last['last_name']}")
        schemas.append("Person")
        births.append(other["date_of_birth"] or None)
        countries.append(other["nationality"] or None)
    table = pa.table(
        {
            "id": ids,
            "name": names,
            "schema": schemas,
            "birth_date": births,
            "nationality": countries,
        }
    )
    pq.write_table(table, path)  # type: ignore[no-untyped-call]
    if pq.ParquetFile(path).metadata.num_rows != n:  # type: ignore[no-untyped-call]
        fail(f"{path}: the book has fewer rows than {n}")


def un_update(source: Path, target: Path, dprk_total: int, share: float, seed: int) -> int:
    """Write the UN list with a new alias on ``share`` of all DPRK entities; how many changed."""
    text = source.read_text(encoding="utf-8")
    blocks = [
        m
        for m in re.finditer(r"<(INDIVIDUAL|ENTITY)>.*?</\1>", text, flags=re.S)
        if "<UN_LIST_TYPE>DPRK</UN_LIST_TYPE>" in m.group(0)
    ]
    k = max(1, round(dprk_total * share))
    if len(blocks) < k:
        fail(f"{source}: {len(blocks)} DPRK entries, fewer than the {k} to change")
    chosen = sorted(random.Random(seed).sample(range(len(blocks)), k))
    out, last = [], 0
    for i in chosen:
        m = blocks[i]
        kind = m.group(1)
        block = m.group(0)
        words = re.findall(r"<(?:FIRST|SECOND|THIRD)_NAME>([^<]*)</", block)
        plain = html.unescape(" ".join(words)).replace("-", "")
        alias = escape(" ".join(reversed(plain.split())).title())
        extra = (
            f"<{kind}_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>{alias}</ALIAS_NAME></{kind}_ALIAS>"
        )
        out += [text[last : m.end() - len(f"</{kind}>")], extra, f"</{kind}>"]
        last = m.end()
    out.append(text[last:])
    target.write_text("".join(out), encoding="utf-8")
    return k


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--subjects", type=int, default=1_000_000)
    ap.add_argument("--small", type=int, default=2000)
    ap.add_argument("--change", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    # Before any import: an empty book would "screen" nothing and report no
    # differing subject, which reads like identical results.
    if args.subjects < 1:
        fail(f"--subjects must be at least 1, got {args.subjects}")
    if not 1 <= args.small <= args.subjects:
        fail(f"--small must be between 1 and --subjects ({args.subjects}), got {args.small}")
    if not 0 < args.change <= 1:
        fail(f"--change must be a share above 0 and at most 1, got {args.change}")
    tmp = None
    if args.work is None:
        tmp = tempfile.TemporaryDirectory(prefix="dprkwatch-spark-bench-")
        args.work = Path(tmp.name)
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    store = SnapshotStore(home)
    for f in LIST_FILES:
        import_paths(store, [require_file(args.data / f)])
    screener = Screener.from_store(store)
    require_entities(len(screener), FOUR_LISTS_MIN_ENTITIES, str(home))
    dprk_ids = {r.id for r in screener.index.records if r.dprk}
    book = work / "book.parquet"
    make_book(screener, args.data, args.subjects, args.seed, book)
    small = work / "small.parquet"
    pq.write_table(pq.read_table(book).slice(0, args.small), small)  # type: ignore[no-untyped-call]
    n = args.subjects
    rows: list[tuple[str, str, str]] = []

    def record(*found: tuple[str, str, str]) -> None:
        """Keep a figure for the table, and print it at once (a long run shows its progress)."""
        for a, b, c in found:
            rows.append((a, b, c))
            print(f"{a:55} {b}  [{c}]" if c else f"{a:55} {b}", flush=True)

    print(f"{len(screener):,} entities indexed ({len(dprk_ids)} DPRK); book of {n:,} subjects")

    # 1. throughput, end to end, one after the other
    local = run_cli(home, "screen", "--input", str(book), "--output", str(work / "local.parquet"),
                    "--workers", "2")  # fmt: skip
    spark = run_cli(home, "screen", "--engine", "spark", "--input", str(book),
                    "--output", str(work / "spark.parquet"))  # fmt: skip
    diff = compare(work / "local.parquet", work / "spark.parquet")
    failed = not diff.identical
    ratio = local["wall"] / spark["wall"]
    record(
        ("local engine, 2 workers", f"{n / local['wall']:,.0f} subjects/s "
         f"({local['wall']:.0f} s wall, {local['cpu']:.0f} s CPU)", local["load"]),
        ("Spark local[2]", f"{n / spark['wall']:,.0f} subjects/s "
         f"({spark['wall']:.0f} s wall, {spark['cpu']:.0f} s CPU)", spark["load"]),
        ("Spark throughput / local (target >= 60 %)", f"{ratio:.0%}", ""),
        ("subjects differing, Spark vs local (target 0)", diff.summary(), ""),
        ("index shipped to each executor (target <= 300 MB)",
         f"{spark['report']['index_bytes'] / 2**20:.1f} MB", ""),
    )  # fmt: skip
    steps = spark["report"]["seconds"]
    record(("Spark steps (s)", ", ".join(f"{k} {v:.1f}" for k, v in steps.items()), ""))

    # 2. fixed overhead on a small book
    local_s = run_cli(home, "screen", "--input", str(small), "--output",
                      str(work / "local-small.parquet"), "--workers", "2")  # fmt: skip
    spark_s = run_cli(home, "screen", "--engine", "spark", "--input", str(small), "--output",
                      str(work / "spark-small.parquet"))  # fmt: skip
    record((f"fixed overhead ({args.small:,} subjects): Spark - local wall",
                 f"{spark_s['wall'] - local_s['wall']:.1f} s ({spark_s['wall']:.1f} s vs "
                 f"{local_s['wall']:.1f} s)", spark_s["load"]))  # fmt: skip

    # 3. delta after a list update
    update = work / "un_consolidated_2026-03-01.xml"
    k = un_update(args.data / UN_FILE, update, len(dprk_ids), args.change, args.seed)
    import_paths(store, [update])
    delta = run_cli(home, "screen", "--engine", "spark", "--input", str(book), "--output",
                    str(work / "delta.parquet"), "--previous", str(work / "spark.parquet"))  # fmt: skip
    full = run_cli(home, "screen", "--input", str(book), "--output", str(work / "full.parquet"),
                   "--workers", "2")  # fmt: skip
    if delta["report"]["lists"] != full["report"]["lists"]:
        fail("the delta and the full screen ran against different lists")
    rescreened = int(delta["report"]["rescreened"])
    rescored = int(delta["report"]["rescored"])
    drift = delta["report"]["drift"]
    ddiff = compare(work / "delta.parquet", work / "full.parquet")
    record(
        (f"list update: {k} of {len(dprk_ids)} DPRK entities changed",
         f"alerts {delta['report']['alerts']}", ""),
        ("re-screened by the delta (target <= 5 %)", f"{rescreened:,} ({rescreened / n:.2%})",
         delta["load"]),
        ("re-scored (previous hits only)", f"{rescored:,} ({rescored / n:.2%})", ""),
        ("weight drift, words / Korean syllables the update did not touch",
         f"{drift['untouched_words']:.4%} / {drift['untouched_syllables']:.4%}", ""),
        ("delta vs full local re-screen", f"{delta['wall']:.0f} s wall, {delta['cpu']:.0f} s CPU "
         f"vs {full['wall']:.0f} s wall, {full['cpu']:.0f} s CPU", full["load"]),
        ("subjects differing, delta vs full re-screen (target 0)", ddiff.summary(), ""),
    )  # fmt: skip
    for name, found in (("Spark vs local", diff), ("delta vs full", ddiff)):
        if found.differing_subjects:
            print(f"{name}: first differing subjects {', '.join(found.differing_subjects[:10])}")
    if not ddiff.identical:
        failed = True
    if args.markdown:
        print("| measure | figure | load average (1, 5, 15 min) |\n|---|---|---|")
        for a, b, c in rows:
            print(f"| {a} | {b} | {c} |")
    if tmp is not None:
        tmp.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
