"""Which design finds a mistyped word among the listed words: measured side by side.

    python benchmarks/typo_retrieval.py [--data-dir DIR] [--words 3000]

Takes listed words of four letters or more from the index of the active
lists, strikes one or two keyboard slips in each (not on the first letter;
two only in words of nine letters or more, as the scorer allows), and asks
three lookups for the words within the edit budget:

* ``deletion keys``: :class:`dprkwatch.matching.typos.Vocabulary` (what the
  screener uses);
* ``trigram postings``: padded character trigrams of every listed word in
  posting lists; a word is a candidate when it shares at least
  ``trigrams - 3 * edits`` of the query word's trigrams (the q-gram lemma's
  bound), then checked with the edit distance;
* ``phonetic key``: listed words with the same metaphone code.

Reported per design: recall (the original word found), candidates checked
per lookup, lookup time, build time and memory of the structure. One
process, the designs alternating over the same words.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from rapidfuzz.distance import OSA
from rigour.text import metaphone

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dprk_variants import _slip_at
from dprkwatch.matching.index import build_vocabulary
from dprkwatch.matching.typos import edit_budget
from inputs import require_count
from matching_eval import load_screener


class Trigrams:
    def __init__(self, words: list[str]) -> None:
        t0 = time.process_time()
        self.words = words
        lists: dict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(words):
            for g in set(self.grams(w)):
                lists[g].append(i)
        self.postings = {g: np.array(v, dtype=np.int32) for g, v in lists.items()}
        self.build = time.process_time() - t0
        self.nbytes = sum(a.nbytes for a in self.postings.values())

    @staticmethod
    def grams(word: str) -> list[str]:
        padded = f"##{word}#"
        return [padded[i : i + 3] for i in range(len(padded) - 2)]

    def near(self, word: str, budget: int) -> tuple[list[str], int]:
        grams = set(self.grams(word))
        arrays = [self.postings[g] for g in grams if g in self.postings]
        if not arrays:
            return [], 0
        counts = np.bincount(np.concatenate(arrays), minlength=len(self.words))
        need = max(1, len(grams) - 3 * budget)
        cands = np.flatnonzero(counts >= need)
        words = self.words
        hits = [
            words[i]
            for i in cands.tolist()
            if OSA.distance(word, words[i], score_cutoff=budget) <= budget
        ]
        return hits, len(cands)


class Phonetic:
    def __init__(self, words: list[str]) -> None:
        t0 = time.process_time()
        self.by_code: dict[str, list[str]] = defaultdict(list)
        for w in words:
            self.by_code[str(metaphone(w))].append(w)
        self.build = time.process_time() - t0
        self.nbytes = sum(sys.getsizeof(v) for v in self.by_code.values())

    def near(self, word: str, budget: int) -> tuple[list[str], int]:
        cands = self.by_code.get(str(metaphone(word)), [])
        return [w for w in cands if OSA.distance(word, w, score_cutoff=budget) <= budget], len(
            cands
        )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--min-entities", type=int, default=20_000)
    ap.add_argument("--words", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    screener = load_screener(args)
    t0 = time.process_time()
    vocab = build_vocabulary(screener.index.forms)
    deletion_build = time.process_time() - t0
    words = vocab.words
    rng = random.Random(args.seed)
    sample = [w for w in words if len(w) >= 4 and w.isalpha()]
    require_count("listed words of four letters or more", sample, args.words)
    typed: list[tuple[str, str, int]] = []
    for w in rng.sample(sample, args.words):
        two = len(w) >= 9 and rng.random() < 0.5
        t = _slip_at(w, rng.randrange(1, len(w)), rng)
        if two and len(t) > 2:
            t = _slip_at(t, rng.randrange(1, len(t)), rng)
        if t != w:
            typed.append((t, w, edit_budget(len(t))))
    trigrams = Trigrams(words)
    phonetic = Phonetic(words)

    def deletion(word: str, budget: int) -> tuple[list[str], int]:
        hits = [w for _d, w in vocab.near(word, budget)]
        return hits, len(hits)

    designs = {
        "deletion keys": deletion,
        "trigram postings": trigrams.near,
        "phonetic key": phonetic.near,
    }
    stats = {name: {"found": 0, "cands": 0, "secs": 0.0} for name in designs}
    for t, w, budget in typed:
        for name, near in designs.items():
            s0 = time.perf_counter()
            hits, cands = near(t, budget)
            stats[name]["secs"] += time.perf_counter() - s0
            stats[name]["found"] += w in hits or OSA.distance(t, w) > budget
            stats[name]["cands"] += cands
    builds = {"deletion keys": (deletion_build, vocab.nbytes), "trigram postings": (trigrams.build, trigrams.nbytes),
              "phonetic key": (phonetic.build, phonetic.nbytes)}  # fmt: skip
    print(f"{len(words):,} listed words; {len(typed):,} mistyped ones\n")
    print("| design | recall | candidates per lookup | µs per lookup | build (CPU) | memory |")
    print("|---|---|---|---|---|---|")
    for name, st in stats.items():
        n = len(typed)
        build, nbytes = builds[name]
        print(
            f"| {name} | {st['found'] / n:.3f} | {st['cands'] / n:.1f} | {1e6 * st['secs'] / n:.0f} "
            f"| {build:.2f} s | {nbytes / 2**20:.0f} MB |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
