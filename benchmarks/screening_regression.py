"""Answer-regression check for the screening engine: same queries, same answers.

    python benchmarks/screening_regression.py --data-dir DIR --write REF.jsonl.gz
    python benchmarks/screening_regression.py --data-dir DIR --check REF.jsonl.gz

Speed work on the engine (candidate retrieval, scoring shortcuts, a parallel
index build) must not change a single answer. This script screens a fixed,
seeded set of queries against the active lists of ``DIR`` (OFAC + UN + EU +
UK for the reference run) and records, per query, the top results as
``(entity id, score rounded to 1e-6, match)`` plus their features and
explanations. ``--write`` makes the reference from the current code;
``--check`` screens the same queries again and reports every difference
(exit code 1 if any answer differs; explanation-only differences are listed
separately and also fail unless ``--answers-only``).

The query set (about 12,000 queries, all deterministic from the seed and the
loaded snapshots):

* the speed benchmark's mix (``screening_speed.make_queries``): yente's
  synthetic non-listed people with birth dates, nationalities and genders,
  and listed names, 30% with a letter dropped;
* the DPRK variants of ``dprk_variants.py`` (romanization, hyphenation,
  reordering, typos, Hangul aliases, vessel respacing, IMO-only, company
  Korea-words, hard negatives), screened unscoped and DPRK-only;
* yente's UN positives, untreated and treated (persons with qualifiers);
* identifier queries: IMO numbers alone, with the vessel's name and with a
  wrong IMO number, MMSIs, listed wallet addresses and document numbers;
* other call shapes: list and programme scopes, ``top=20`` with a 0.9
  threshold, and the free-text ``search()``.

Each run builds the index cold (no cache) and, unless ``--no-cache-check``,
again through a save/load of the on-disk index cache, and checks that both
give the same answers, so the cache format is covered too.

The script runs itself under a fixed ``PYTHONHASHSEED`` (``--hash-seed``,
default 0). The engine sums the pre-scores of candidate names over a *set*
of blocking keys, whose iteration order follows Python's per-process string
hashing; in the last bits of those sums, and so in a tie at the edge of the
candidate list, two processes can differ (2 of these 16,522 queries gain or
lose a low, non-matching result between hash seeds 0 and 3). Compared
under one seed, old and new code must agree exactly.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dprk_variants import Generator
from dprkwatch.lists import SnapshotStore
from dprkwatch.matching import Match, Query, QueryError, Scope, Screener
from inputs import FOUR_LISTS_MIN_ENTITIES, require_count, require_entities
from matching_eval import all_names, dprk_subset, negative_cases, person_props
from screening_speed import make_queries, make_store

# The variant categories of the reference set (later categories of the
# generator are measured by matching_eval.py, not here, so that references
# written before them stay comparable).
REGRESSION_CATEGORIES = frozenset(
    {"romanization", "hyphenation", "reordering", "typo", "hangul", "vessel", "imo", "company",
     "hard_negative"}
)  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One call to the screener and how to make it."""

    kind: str
    query: Query
    top: int = 5
    threshold: float | None = None
    scope: Scope | None = None
    search: bool = False


def _query(schema: str, props: dict[str, list[str]]) -> Query | None:
    try:
        return Query(schema, props)
    except QueryError:
        return None


def build_cases(
    screener: Screener, data: Path, seed: int, every_category: bool = False
) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    # 1. The speed benchmark's mix.
    cases += [Case("speed-mix", q) for q in make_queries(screener, data, 6000, seed)]
    # 2. DPRK variants, unscoped and DPRK-only.
    targets = dprk_subset(screener)
    gen = Generator(targets, all_names(screener), seed=seed)
    for v in gen.all():
        if v.category not in REGRESSION_CATEGORIES and not every_category:
            continue
        q = _query(v.schema, v.properties)
        if q is None:
            continue
        cases.append(Case(f"variant-{v.category}", q, scope=Scope(lists=v.lists)))
        cases.append(
            Case(f"variant-{v.category}-dprk", q, scope=Scope(lists=v.lists, dprk_only=True))
        )
    # 3. yente's UN positives (persons with birth dates and nationalities).
    for variant in ("untreated", "treated"):
        path = data / "matching" / f"yente_positives_un_{variant}.csv"
        with path.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for row in rng.sample(rows, min(600, len(rows))):
            q = _query("Person", person_props(row))
            if q is not None:
                cases.append(Case(f"yente-{variant}", q))
    # 4. Identifiers.
    records = list(screener.index.records)
    vessels = [r for r in records if r.imo]
    for rec in rng.sample(vessels, min(300, len(vessels))):
        imo = sorted(rec.imo)[0]
        cases.append(Case("id-imo", Query("Vessel", {"imoNumber": [imo]})))
        if q := _query(
            rec.schema if rec.schema != "LegalEntity" else "Thing",
            {"name": [rec.caption], "imoNumber": [imo]},
        ):
            cases.append(Case("id-imo-name", q))
        other = rng.choice(vessels)
        if not other.imo & rec.imo and (
            q := _query("Vessel", {"name": [rec.caption], "imoNumber": [sorted(other.imo)[0]]})
        ):
            cases.append(Case("id-imo-conflict", q))
    for rec in [r for r in records if r.mmsi][:200]:
        if q := _query("Vessel", {"mmsi": [sorted(rec.mmsi)[0]]}):
            cases.append(Case("id-mmsi", q))
    wallets = sorted({w for r in records for w in r.wallets})
    for addr in rng.sample(wallets, min(300, len(wallets))):
        if q := _query("Thing", {"publicKey": [addr]}):
            cases.append(Case("id-wallet", q))
    documented = [r for r in records if r.documents]
    for rec in rng.sample(documented, min(300, len(documented))):
        doc = sorted(rec.documents)[0]
        if q := _query("Thing", {"passportNumber": [doc]}):
            cases.append(Case("id-document", q))
        if rec.group == "person" and (
            q := _query("Person", {"name": [rec.caption], "idNumber": [doc]})
        ):
            cases.append(Case("id-document-name", q))
    # 5. Other call shapes: scopes, a large top with a high threshold, search.
    shuffled = list(records)
    rng.shuffle(shuffled)
    programs = sorted({p for r in records for p in r.programs})
    for rec in shuffled[:300]:
        q = _query(rec.schema if rec.schema != "LegalEntity" else "Thing", {"name": [rec.caption]})
        if q is None:
            continue
        cases.append(
            Case("scope-lists", q, scope=Scope(lists=[rng.choice(["un", "eu", "uk", "ofac"])]))
        )
        cases.append(Case("scope-programs", q, scope=Scope(programs=rng.sample(programs, 3))))
        cases.append(Case("top20-t0.9", q, top=20, threshold=0.9))
    for rec in shuffled[300:600]:
        words = rec.caption.split()
        text = " ".join(words[: max(1, len(words) - 1)])
        if text.strip():
            cases.append(Case("search", Query("Thing", {"name": [text]}), top=10, search=True))
    for neg in negative_cases(data, 40_000)[-500:]:
        q = _query("Thing", {"name": neg.properties["name"]})
        if q is not None:
            cases.append(Case("negative-thing", q))
    return cases


def run_case(screener: Screener, case: Case) -> list[Match]:
    if case.search:
        return screener.search(case.query.names[0], limit=case.top)
    return screener.screen(case.query, top=case.top, threshold=case.threshold, scope=case.scope)


def record(case: Case, matches: list[Match]) -> dict[str, Any]:
    return {
        "kind": case.kind,
        "query": case.query.to_dict(),
        "answers": [[m.entity_id, round(m.score, 6), m.match] for m in matches],
        "details": [[m.features, m.explanation] for m in matches],
    }


def screen_all(screener: Screener, cases: list[Case]) -> Iterator[dict[str, Any]]:
    for case in cases:
        yield record(case, run_case(screener, case))


def build(
    store: SnapshotStore, cache_dir: Path | None, algorithm: str | None = None
) -> tuple[Screener, float]:
    t0 = time.perf_counter()
    screener = Screener.from_snapshots(store.active(), algorithm, cache_dir=cache_dir)
    return screener, time.perf_counter() - t0


def digest(results: list[dict[str, Any]]) -> str:
    h = hashlib.sha256()
    for r in results:
        h.update(orjson.dumps(r["answers"]))
    return h.hexdigest()[:16]


def compare(
    ref: list[dict[str, Any]],
    got: list[dict[str, Any]],
    label: str,
    show: int,
    say: Callable[[str], None],
) -> tuple[int, int]:
    """Count queries whose answers differ, and those whose details alone differ."""
    if len(ref) != len(got):
        say(
            f"{label}: {len(got)} queries, reference has {len(ref)} (different query set: different data?)"
        )
        return max(len(ref), len(got)), 0
    answers = details = 0
    for i, (a, b) in enumerate(zip(ref, got, strict=True)):
        if a["query"] != b["query"]:
            say(f"{label}: query {i} differs from the reference's: {a['query']} vs {b['query']}")
            return len(ref), 0
        if a["answers"] != b["answers"]:
            answers += 1
            if answers <= show:
                say(
                    f"{label}: ANSWER {i} [{a['kind']}] "
                    f"{orjson.dumps(a['query']).decode()}\n  ref {a['answers']}\n  got "
                    f"{b['answers']}"
                )
        elif a["details"] != b["details"]:
            details += 1
            if details <= show:
                say(
                    f"{label}: detail {i} [{a['kind']}] "
                    f"{orjson.dumps(a['query']).decode()}\n  ref {a['details']}\n  got "
                    f"{b['details']}"
                )
    return answers, details


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data dir with the lists imported (else a temporary one)",
    )
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path, help="write the reference (gzipped JSON lines) here")
    mode.add_argument("--check", type=Path, help="compare with this reference")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--algorithm", default=None, help="algorithm version (default: the current)")
    ap.add_argument("--hash-seed", default="0", help="PYTHONHASHSEED to run under (see above)")
    ap.add_argument("--show", type=int, default=10, help="differences printed per kind")
    ap.add_argument(
        "--answers-only", action="store_true", help="explanation-only differences do not fail"
    )
    ap.add_argument(
        "--no-cache-check", action="store_true", help="skip the run through the on-disk cache"
    )
    ap.add_argument(
        "--every-category",
        action="store_true",
        help="also the generator's later categories (two edits, OCR, split words...): "
        "a larger set, for a reference written with this option",
    )
    args = ap.parse_args()
    if os.environ.get("PYTHONHASHSEED") != args.hash_seed:
        os.execve(
            sys.executable,
            [sys.executable, *sys.argv],
            {**os.environ, "PYTHONHASHSEED": args.hash_seed},
        )

    def say(text: str) -> None:
        print(text, file=sys.stderr)

    store = make_store(args)
    screener, secs = build(store, None, args.algorithm)
    require_entities(len(screener), FOUR_LISTS_MIN_ENTITIES, str(store.home))
    say(
        f"PYTHONHASHSEED={args.hash_seed}; index built cold: {len(screener):,} "
        f"entities in {secs:.1f} s "
        f"({', '.join(f'{k} {v}' for k, v in screener.versions.items())})"
    )
    cases = build_cases(screener, args.data, args.seed, args.every_category)
    require_count("queries built", cases, 10_000)
    t0 = time.perf_counter()
    results = list(screen_all(screener, cases))
    say(
        f"screened {len(results):,} queries in {time.perf_counter() - t0:.1f} s; answer digest {digest(results)}"
    )
    runs = [("cold build", results)]
    if not args.no_cache_check:
        del screener
        with tempfile.TemporaryDirectory(prefix="dprkwatch-regr-cache-") as tmp:
            # Writes the cache (maybe from a forked child: wait for it).
            build(store, Path(tmp), args.algorithm)
            for writer in multiprocessing.active_children():
                writer.join()
            cached, secs = build(store, Path(tmp), args.algorithm)
            say(f"index loaded from the cache in {secs:.1f} s")
            runs.append(("cache", list(screen_all(cached, cases))))
            del cached

    if args.write is not None:
        if runs[-1][1] != results:
            a, d = compare(results, runs[-1][1], "cache vs cold", args.show, say)
            say(
                f"the cached index answers differently from the cold one ({a} answers, "
                f"{d} details): no reference written"
            )
            return 1
        args.write.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(args.write, "wb") as fh:
            for r in results:
                fh.write(orjson.dumps(r) + b"\n")
        say(f"reference written to {args.write}")
        return 0

    with gzip.open(args.check, "rb") as fh:
        ref = [orjson.loads(line) for line in fh]
    failed = False
    for label, got in runs:
        answers, details = compare(ref, got, label, args.show, say)
        say(
            f"{label}: {answers} of {len(ref):,} queries answer differently, "
            f"{details} more differ in features/explanations only"
        )
        failed |= answers > 0 or (details > 0 and not args.answers_only)
    print("DIFFERENT" if failed else "IDENTICAL")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
