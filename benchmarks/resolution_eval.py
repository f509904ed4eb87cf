"""Benchmark: how well resolution links listings across lists, on two labelled sets.

1. **UN references, hidden.** Every EU and UK entry that carries a UN
   reference number names its UN entry: that is ground truth. The resolver
   runs with those references removed from the EU and UK entries (so only
   identifiers and the matching engine can link them), and each such entry's
   UN partner in its resolved target is compared with the truth. Link
   precision = correct UN partners / UN partners given; recall = entries
   linked to their true UN entry / entries with a reference.
2. **Hand-labelled OFAC pairs** (``benchmarks/data/resolution_ofac_pairs.csv``):
   OFAC DPRK entries against UN, EU and UK entries, labelled same or
   different (see the file's header for how). Predicted "same" = both in one
   resolved target.

The lists are imported from the real data folder into a temporary data
directory first. An empty or smaller-than-expected input fails the run.

    python benchmarks/resolution_eval.py [--data ../shared/data] [--home DIR] [--markdown]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.lists.seed import local_sources
from dprkwatch.matching import Screener
from dprkwatch.resolution.listing_cache import read_active
from dprkwatch.resolution.records import Listing, compatible
from dprkwatch.resolution.resolver import Params, compute

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "data" / "resolution_ofac_pairs.csv"
MIN_TRUTH = 500
MIN_PAIRS = 300


def prepare(data: Path, home: Path) -> SnapshotStore:
    store = SnapshotStore(home)
    if not store.active_versions():
        paths = [p for p in local_sources(data) if "truncated" not in p.name]
        import_paths(store, paths)
    return store


def hidden_reference_eval(
    listings: dict[str, Listing], screener: Screener
) -> dict[str, float | int | list[str]]:
    truth: dict[str, str] = {}
    for rec in listings.values():
        if rec.list_name in ("eu", "uk"):
            for ref in rec.unsc_refs:
                un = listings.get(f"un-{ref}")
                # A vessel carrying its owner's reference is not the owner.
                if un is not None and compatible(rec.group, un.group):
                    truth[rec.id] = f"un-{ref}"
    if len(truth) < MIN_TRUTH:
        raise SystemExit(f"only {len(truth)} EU/UK entries carry a known UN reference")
    hidden = {
        rid: (replace(rec, unsc_refs=[]) if rec.list_name in ("eu", "uk") else rec)
        for rid, rec in listings.items()
    }
    t = time.perf_counter()
    res = compute(hidden, screener, versions={})
    seconds = time.perf_counter() - t
    given = correct = 0
    errors: list[str] = []
    misses: list[str] = []
    for rid, un_id in sorted(truth.items()):
        target = res.listings[rid]["target"]
        partners = [m for m in res.targets[target].members if m.startswith("un-")]
        given += len(partners)
        if un_id in partners:
            correct += 1
        else:
            misses.append(f"{rid} -> {un_id} (got {partners or 'none'})")
        errors.extend(f"{rid} ~ {p} (truth {un_id})" for p in partners if p != un_id)
    return {
        "truth": len(truth),
        "given": given,
        "correct": correct,
        "precision": correct / given if given else 0.0,
        "recall": correct / len(truth),
        "seconds": seconds,
        "errors": errors,
        "misses": misses,
        "review": len(res.review),
    }


def labelled_pairs_eval(res_target: dict[str, str]) -> dict[str, float | int | list[str]]:
    with PAIRS.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(line for line in fh if not line.startswith("#"))]
    if len(rows) < MIN_PAIRS:
        raise SystemExit(f"{PAIRS.name}: only {len(rows)} labelled pairs")
    tp = fp = fn = tn = 0
    missing = 0
    wrong: list[str] = []
    for r in rows:
        a, b, same = r["ofac_id"], r["other_id"], r["label"] == "same"
        if a not in res_target or b not in res_target:
            missing += 1
            continue
        predicted = res_target[a] == res_target[b]
        if predicted and same:
            tp += 1
        elif predicted:
            fp += 1
            wrong.append(f"false link {a} ~ {b}")
        elif same:
            fn += 1
            wrong.append(f"missed {a} ~ {b}")
        else:
            tn += 1
    if missing:
        raise SystemExit(f"{PAIRS.name}: {missing} labelled ids are not in the lists")
    return {
        "pairs": len(rows),
        "positives": tp + fn,
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "wrong": wrong,
    }


def add_data_option(ap: argparse.ArgumentParser) -> None:
    """``--data``: the folder of real list files (shared by the resolution benchmarks)."""
    ap.add_argument(
        "--data",
        type=Path,
        default=Path(
            os.environ.get("DPRKWATCH_SHARED_DATA", HERE.parent.parent / "shared" / "data")
        ),
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    add_data_option(ap)
    ap.add_argument("--home", type=Path, default=None, help="reuse a data directory")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--show", type=int, default=15, help="errors and misses to print")
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"no data folder at {args.data}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp)
        store = prepare(args.data, home)
        listings, _ = read_active(store.active())
        screener = Screener.from_store(store, algorithm=Params().algorithm)
        load = (
            Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
        )
        print(f"load average {load}")
        hidden = hidden_reference_eval(listings, screener)
        print(
            f"UN references hidden: {hidden['truth']} EU/UK entries, "
            f"precision {hidden['precision']:.4f}, recall {hidden['recall']:.4f} "
            f"(targets >= 0.995 / >= 0.98); review queue {hidden['review']}"
        )
        for line in list(hidden["errors"])[: args.show]:  # type: ignore[call-overload]
            print("  wrong:", line)
        for line in list(hidden["misses"])[: args.show]:  # type: ignore[call-overload]
            print("  missed:", line, flush=True)
        ok = (
            float(hidden["precision"]) >= 0.995  # type: ignore[arg-type]
            and float(hidden["recall"]) >= 0.98  # type: ignore[arg-type]
        )
        if not PAIRS.exists():
            print(f"hand-labelled OFAC pairs: {PAIRS.name} is missing", file=sys.stderr)
            return 1
        full = compute(listings, screener, versions={})
        targets = {rid: info["target"] for rid, info in full.listings.items()}
        pairs = labelled_pairs_eval(targets)
    print(
        f"hand-labelled OFAC pairs: {pairs['pairs']} ({pairs['positives']} same), "
        f"precision {pairs['precision']:.4f}, recall {pairs['recall']:.4f} "
        f"(targets >= 0.99 / >= 0.95)"
    )
    for line in list(pairs["wrong"])[: args.show]:  # type: ignore[call-overload]
        print("  ", line)
    ok = (
        ok
        and float(pairs["precision"]) >= 0.99  # type: ignore[arg-type]
        and float(pairs["recall"]) >= 0.95  # type: ignore[arg-type]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
