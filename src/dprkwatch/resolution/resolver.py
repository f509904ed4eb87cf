"""One resolution run: the active lists in, canonical targets and a review queue out.

The run reads every active snapshot, gathers the evidence of
:mod:`~dprkwatch.resolution.evidence`, applies human decisions first and the
machine's links strongest first (see :mod:`~dprkwatch.resolution.clusters`),
gives each target its stable id, assesses DPRK relevance, and stores the
result in one atomic write.

**Incremental.** The expensive step is screening entries against the other
lists. A re-run screens only entries that are new or whose fingerprint
changed (in both directions, against every other list) and keeps the stored
candidates of the others; references and identifiers, cheap to find, are
recomputed in full. The screening index (of the matching algorithm the
thresholds are set on) is cached per set of active versions; a re-run that
screens nothing does not load it, and after the update of one list the
previous run's index still serves, since the changed entries are screened
against the other lists, which have not changed.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dprkwatch.exceptions import InputError
from dprkwatch.forking import fork_is_safe
from dprkwatch.lists.snapshot import SnapshotStore
from dprkwatch.matching import Query, Screener
from dprkwatch.matching import cache as index_cache
from dprkwatch.resolution import listing_cache, relevance
from dprkwatch.resolution.clusters import Clusters, assign_ids
from dprkwatch.resolution.evidence import (
    Candidate,
    identifier_links,
    list_order,
    matching_candidates,
    query_for,
    reference_links,
)
from dprkwatch.resolution.judgements import DIFFERENT, SAME, UNSURE, Judgement
from dprkwatch.resolution.records import Listing
from dprkwatch.resolution.store import Resolution, ResolutionStore, ReviewItem, Target

Progress = Callable[[str], None]


# Remark similarity that settles a tie between namesakes, and the lead it needs.
TEXT_AGREES = 0.4
TEXT_MARGIN = 0.2
# Engine features that, when negative, say two listings differ.
CONFLICTS = ("birth_date", "country", "gender", "id.imo_conflict", "number")


@dataclass(frozen=True)
class Params:
    """The thresholds of one resolution method; a change makes the next run a full one."""

    method: str = "dprkwatch-resolve-v1"
    # The matching algorithm whose scores the thresholds below are set on
    # (v2's scores are calibrated probabilities, on another scale).
    algorithm: str = "dprkwatch-match-v1"
    # Engine matches at or above this score, unopposed, link two listings.
    auto: float = 0.90
    # Engine matches between this and ``auto`` go to the review queue.
    review: float = 0.75
    # A second candidate on the same list this close to the best makes both doubtful.
    margin: float = 0.03
    # Below this name score, a shared passport or id number is only a candidate.
    id_name_floor: float = 0.60
    # Candidates asked of the engine per query (over all target lists).
    top: int = 10


ScreenerSource = Callable[[frozenset[str]], Screener]


class _Engine:
    """The screening index, loaded only when a run must screen or compare, and
    engine comparisons remembered across runs by the two listings' fingerprints.

    A re-run that changed nothing needs neither: its identifier name scores
    and duplicate checks are the stored ones. ``source`` is asked for an
    index that covers the given lists (the lists the run screens against).
    """

    def __init__(
        self,
        source: ScreenerSource,
        listings: Mapping[str, Listing],
        params: Params,
        remembered: Mapping[str, float],
    ) -> None:
        self._source = source
        self._listings = listings
        self._params = params
        self._remembered = remembered
        self._screener: Screener | None = None
        self.compared: dict[str, float] = {}
        self.computed = 0

    def screener(self, asked: frozenset[str] = frozenset()) -> Screener:
        if self._screener is None:
            self._screener = self._source(asked)
        return self._screener

    @property
    def loaded(self) -> bool:
        return self._screener is not None

    def _recall(self, key: str, compute: Callable[[], float]) -> float:
        value = self.compared.get(key)
        if value is None:
            value = self._remembered.get(key)
            if value is None:
                value = compute()
                self.computed += 1
            self.compared[key] = value
        return value

    def name_score(self, x: Listing, y: Listing) -> float:
        """Engine score of the names alone (for a shared passport or id number)."""
        return self._recall(f"n|{x.fingerprint}|{y.fingerprint}", lambda: self._names(x, y))

    def _names(self, x: Listing, y: Listing) -> float:
        query = query_for(x)
        if query is None:
            return 0.0
        names = Query(schema=query.schema, properties={"name": list(query.get("name"))[:50]})
        try:
            m = self.screener().compare_listed(names, y.id)
        except InputError:
            return 0.0
        return 0.0 if m is None else float(m.score)

    def duplicates(self, x: str, y: str) -> bool:
        """Whether two entries of one list describe the same subject."""
        if y < x:
            x, y = y, x
        a, b = self._listings[x], self._listings[y]
        key = f"d|{a.fingerprint}|{b.fingerprint}"
        return bool(self._recall(key, lambda: float(self._duplicate(x, y))))

    def _duplicate(self, x: str, y: str) -> bool:
        query = query_for(self._listings[x])
        if query is None:
            return False
        try:
            m = self.screener().compare_listed(query, y)
        except InputError:
            return False
        if m is None:
            return False
        # Names alone do not make a duplicate (branches of one firm share a
        # name, North Korean firms share a country): a birth date or an
        # identifier must agree as well.
        corroborated = any(
            v > 0 for k, v in m.features.items() if k == "birth_date" or k.startswith("id.")
        )
        return m.score >= self._params.auto and corroborated and not _conflicts(m.features)


def _conflicts(features: Mapping[str, float]) -> list[str]:
    return [k for k in CONFLICTS if features.get(k, 0.0) < 0]


def _country_conflict(x: Listing, y: Listing) -> bool:
    """Nationalities (people) or seats (firms, vessels' flags) that both give and that differ.

    The engine also weighs a person's address country against a
    nationality; a man of one nationality living elsewhere is common, so
    only like is compared with like here.
    """
    if x.group == "person" or y.group == "person":
        a, b = set(x.nationality), set(y.nationality)
    elif x.group == "vessel":
        return False  # flags change with every re-registration
    else:
        a, b = set(x.countries), set(y.countries)
    return bool(a and b and not a & b)


_WORD = re.compile(r"\w{4,}")


def text_similarity(x: Listing, y: Listing) -> float:
    """Share of remark words in common (Jaccard over words of four letters or more).

    Publishers copy each other's narrative ("director of the Second Academy
    of Natural Sciences"), so the remarks tell namesakes apart where the
    names cannot.
    """
    a, b = _remark_words(x), _remark_words(y)
    return len(a & b) / len(a | b) if a and b else 0.0


def _remark_words(rec: Listing) -> frozenset[str]:
    return _words_of(tuple(rec.texts))


@functools.lru_cache(maxsize=4096)
def _words_of(texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w.lower() for t in texts for w in _WORD.findall(t))


def _engine_links(
    candidates: Mapping[str, list[Candidate]],
    listings: Mapping[str, Listing],
    params: Params,
    duplicates: Callable[[str, str], bool],
) -> list[Candidate]:
    """Engine candidates, one per pair, each with its doubt (if any) spelled out.

    The stored candidates are not changed: a pair that gains a doubt or more
    evidence is a copy (most pairs gain neither, and copying every one of
    some 30,000 cost a tenth of a re-run's clustering).
    """
    best: dict[tuple[str, str], Candidate] = {}
    for cands in candidates.values():
        for c in cands:
            a, b = listings.get(c.a), listings.get(c.b)
            if a is None or b is None or a.list_name == b.list_name:
                continue
            key = (c.a, c.b)
            cur = best.get(key)
            if cur is None or c.score > cur.score:
                best[key] = c
    # Each listing's candidates per other list, to spot ambiguity.
    ranks: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for c in best.values():
        ranks[(c.a, listings[c.b].list_name)].append((c.score, c.b))
        ranks[(c.b, listings[c.a].list_name)].append((c.score, c.a))
    out: list[Candidate] = []
    for c in best.values():
        doubt, evidence = _engine_doubt(c, listings, ranks, params, duplicates)
        if doubt or evidence or c.doubt:
            c = Candidate(
                c.a, c.b, c.method, c.score, [*c.evidence, *evidence], dict(c.features), doubt
            )
        out.append(c)
    return sorted(out, key=lambda c: (-c.score, c.key))


def _engine_doubt(
    c: Candidate,
    listings: Mapping[str, Listing],
    ranks: Mapping[tuple[str, str], list[tuple[float, str]]],
    params: Params,
    duplicates: Callable[[str, str], bool],
) -> tuple[str, list[str]]:
    """Why an engine candidate does not decide alone ('' when it does), and evidence it gained."""
    conflicts = [k for k in _conflicts(c.features) if k != "country"]
    if _country_conflict(listings[c.a], listings[c.b]):
        conflicts.append("country")
    if conflicts:
        return "the engine found differences: " + ", ".join(conflicts), []
    if c.score < params.auto:
        return f"score {c.score:.2f} below {params.auto:.2f}", []
    # A rival close behind on the same list makes the pair doubtful,
    # unless the rival is a duplicate entry of the same subject.
    evidence: list[str] = []
    for end, other in ((c.a, c.b), (c.b, c.a)):
        for score, rival in ranks.get((end, listings[other].list_name), ()):
            close = rival != other and score >= c.score - params.margin
            if close and not duplicates(other, rival):
                mine = text_similarity(listings[end], listings[other])
                theirs = text_similarity(listings[end], listings[rival])
                if mine >= TEXT_AGREES and theirs <= mine - TEXT_MARGIN:
                    evidence.append(
                        f"remarks agree with {other} ({mine:.2f}) more than with {rival} "
                        f"({theirs:.2f})"
                    )
                    continue
                return f"{rival} on the same list scores almost as high", evidence
    return "", evidence


def _screen_all(
    engine: _Engine,
    listings: Mapping[str, Listing],
    changed: set[str],
    incremental: bool,
    params: Params,
    workers: int,
    say: Progress,
) -> tuple[dict[str, list[Candidate]], int]:
    """Engine candidates for the ``changed`` listings; how many queries that took."""
    order = list_order(listings.values())
    by_list: dict[str, list[Listing]] = defaultdict(list)
    for rid in sorted(changed):
        by_list[listings[rid].list_name].append(listings[rid])
    plan: list[tuple[str, list[Listing], list[str]]] = []
    for pos, name in enumerate(order):
        recs = by_list.get(name, [])
        # A full run asks each pair of lists once (the smaller list asks the larger);
        # changed entries of a re-run ask every other list.
        targets = [n for n in order if n != name] if incremental else order[pos + 1 :]
        if recs and targets:
            plan.append((name, recs, targets))
    out: dict[str, list[Candidate]] = {rid: [] for rid in changed}
    if not plan:
        return out, 0
    screener = engine.screener(frozenset(t for _, _, targets in plan for t in targets))
    tasks: list[tuple[Listing, Sequence[str]]] = []
    for name, recs, targets in plan:
        say(f"screening {len(recs)} {name} listing(s) against {', '.join(targets)}")
        tasks.extend((rec, targets) for rec in recs)
    out.update(
        matching_candidates(screener, tasks, floor=params.review, top=params.top, workers=workers)
    )
    return out, len(tasks)


def run(
    home: Path,
    *,
    full: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
    screener: Screener | None = None,
    params: Params | None = None,
) -> Resolution:
    """Resolve the active lists of ``home`` and store the result (atomically)."""
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    lists = SnapshotStore(home)
    snapshots = lists.active()
    if not snapshots:
        raise InputError("no active lists to resolve; import some with `dprkwatch lists import`")
    store = ResolutionStore(home)
    with store.lock(), _collector_paused():
        previous = None if full else store.load_or_none()
        loaded = time.perf_counter() - t0
        say(f"reading {len(snapshots)} list(s)")
        pending = listing_cache.read_soon(snapshots, store.cache_dir, fork=workers != 1)
        versions = {name: snap.version for name, snap in sorted(snapshots.items())}
        algorithm = (params or Params()).algorithm
        engine: Screener | ScreenerSource = (
            screener
            if screener is not None
            else screener_source(lists, versions, algorithm, previous, say)
        )
        index = 0.0
        if pending.forked and previous is None and not isinstance(engine, Screener):
            # Every listing will be screened: get the index while a child reads the lists.
            engine = engine(frozenset(versions))
            index = time.perf_counter() - t0 - loaded
        listings, cached = pending.result()
        read = time.perf_counter() - t0 - loaded - index
        resolution = compute(
            listings,
            engine,
            versions=versions,
            previous=previous,
            judgements=store.judgements().current(),
            params=params,
            workers=workers,
            progress=say,
        )
        seconds = resolution.stats["seconds"]
        seconds.update(load=round(loaded, 3), read=round(read, 3))
        if index:
            # The index was got while the lists were read: "read" is what that wait added.
            seconds["index"] = round(index, 3)
        resolution.stats["listings_cached"] = sorted(k for k, hit in cached.items() if hit)
        seconds["total"] = round(time.perf_counter() - t0, 3)
        t = time.perf_counter()
        store.save(resolution)
        listing_cache.prune(store.cache_dir, lists.root)
        # Known only once written, so in the returned stats, not the stored ones.
        seconds["save"] = round(time.perf_counter() - t, 3)
    return resolution


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the run.

    A run builds some millions of small containers (listings, candidates,
    the stored state) and frees little before it ends; each collection would
    walk all of them again, which cost about two thirds of reading the
    listings. Reference counting still frees what is dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def screener_source(
    lists: SnapshotStore,
    versions: Mapping[str, str],
    algorithm: str,
    previous: Resolution | None,
    say: Progress,
) -> ScreenerSource:
    """Where a run gets its screening index, cheapest first.

    1. The cached index of the active versions.
    2. The index the previous run used, when it holds every list the run
       screens against at its active version (after an update of one list,
       that list's changed entries are screened against the others, which
       have not changed). Token weights then come from the previous version
       of the updated list, a difference of a few entries in thousands.
    3. A new index of the active versions, cached for screening as well.
    """

    def load(asked: frozenset[str]) -> Screener:
        cache_dir = lists.layout.matching_cache
        current = index_cache.load(index_cache.cache_path(cache_dir, dict(versions), algorithm))
        if current is not None and current.versions == dict(versions):
            return Screener(current, algorithm)
        if previous is not None and previous.index_versions:
            old = previous.index_versions
            if all(old.get(name) == versions.get(name) for name in asked):
                say("loading the previous run's screening index")
                index = index_cache.load(index_cache.cache_path(cache_dir, dict(old), algorithm))
                if index is not None and index.versions == old:
                    return Screener(index, algorithm)
        say("building the screening index of the active lists")
        return Screener.from_store(lists, algorithm=algorithm)

    return load


def compute(
    listings: Mapping[str, Listing],
    screener: Screener | ScreenerSource,
    *,
    versions: Mapping[str, str],
    previous: Resolution | None = None,
    judgements: Mapping[tuple[str, str], Judgement] | None = None,
    params: Params | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Resolution:
    """Resolve ``listings`` (no files touched): the pure core of :func:`run`.

    ``screener`` is the engine, or a function that loads one on first need
    (given the lists it must hold). ``previous`` makes the run incremental
    when it used the same ``params``.
    """
    params = params or Params()
    say = progress or (lambda _msg: None)
    judgements = judgements or {}
    timings: dict[str, float] = {}
    reuse = previous is not None and previous.params == asdict(params)
    if reuse and previous is not None:
        changed = {
            rid
            for rid, rec in listings.items()
            if previous.listings.get(rid, {}).get("fp") != rec.fingerprint
        }
    else:
        changed = set(listings)
    t = time.perf_counter()
    kept: dict[str, list[Candidate]] = {}
    if reuse and previous is not None:
        for qid, cands in previous.candidates.items():
            if qid in listings and qid not in changed:
                kept[qid] = [
                    c
                    for c in cands
                    if c.a in listings and c.b in listings
                    and c.a not in changed and c.b not in changed
                ]  # fmt: skip
    source: ScreenerSource = (
        (lambda _asked: screener) if isinstance(screener, Screener) else screener
    )
    engine = _Engine(
        source, listings, params, previous.compared if reuse and previous is not None else {}
    )
    n_workers = workers if workers is not None else (2 if fork_is_safe() else 1)
    say(f"{len(changed)} new or changed listing(s)")
    fresh, asked = _screen_all(engine, listings, changed, reuse, params, n_workers, say)
    candidates = {**kept, **fresh}
    timings["engine"] = time.perf_counter() - t

    t = time.perf_counter()
    say("clustering")
    result = _cluster(listings, candidates, judgements, params, engine)
    ids = assign_ids(result.groups, _previous_members(previous))
    target_of = {m: cid for cid, members in ids.items() for m in members}
    targets = {cid: Target(cid, members) for cid, members in ids.items()}
    for c in result.applied:
        targets[target_of[c.a]].links.append(c)
    # Summaries and direct evidence are made by code that can change while a
    # listing does not; an unchanged listing under the same code keeps both.
    same_code = (
        previous is not None and previous.stats.get("listing_code") == listing_cache.CODE_KEY
    )
    unchanged = {
        rid: info
        for rid, info in (previous.listings.items() if same_code and previous else ())
        if rid in listings and rid not in changed and "summary" in info and "direct" in info
    }
    direct = {
        rid: (
            [(e[0], e[1], e[2]) for e in unchanged[rid]["direct"]]
            if rid in unchanged
            else relevance.direct_evidence(rec)
        )
        for rid, rec in listings.items()
    }
    dprk = relevance.assess(listings, ids, direct)
    timings["cluster"] = time.perf_counter() - t

    former = dict(previous.former) if previous is not None else {}
    if previous is not None:
        for rid, info in previous.listings.items():
            if rid not in listings:
                former[rid] = info["target"]
    for rid in listings:
        former.pop(rid, None)
    orphans = [
        {**j.to_dict(), "missing": [x for x in (j.a, j.b) if x not in listings]}
        for j in judgements.values()
        if j.a not in listings or j.b not in listings
    ]
    multi = sum(
        1 for tg in targets.values() if len({listings[m].list_name for m in tg.members}) > 1
    )
    if engine.loaded:
        index_versions = engine.screener().versions
    else:
        index_versions = dict(previous.index_versions) if previous is not None else {}
    stats: dict[str, Any] = {
        "listings": len(listings),
        "targets": len(targets),
        "multi_list_targets": multi,
        "links": {
            method: sum(1 for c in result.applied if c.method == method)
            for method in ("judgement", "reference", "identifier", "matching")
        },
        "review": len(result.review),
        "dprk_targets": len(dprk),
        "dprk_evidence": relevance.counts(dprk),
        "incremental": reuse,
        "changed": len(changed),
        "screened": asked,
        "compared": engine.computed,
        "index_loaded": engine.loaded,
        "judgements": len(judgements),
        "orphan_judgements": len(orphans),
        "seconds": {k: round(v, 3) for k, v in timings.items()},
    }
    stats["listing_code"] = listing_cache.CODE_KEY
    return Resolution(
        params=asdict(params),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        versions=dict(versions),
        listings={
            rid: {
                "list": rec.list_name,
                "fp": rec.fingerprint,
                "target": target_of[rid],
                "summary": unchanged[rid]["summary"] if rid in unchanged else rec.summary(),
                "direct": [list(e) for e in direct[rid]],
            }
            for rid, rec in listings.items()
        },
        targets=targets,
        review=result.review,
        dprk={cid: [list(e) for e in ev] for cid, ev in dprk.items()},
        candidates=candidates,
        former=former,
        orphans=orphans,
        stats=stats,
        compared=engine.compared,
        index_versions=index_versions,
    )


def _previous_members(previous: Resolution | None) -> dict[str, str]:
    if previous is None:
        return {}
    out = dict(previous.former)
    out.update({rid: info["target"] for rid, info in previous.listings.items()})
    return out


@dataclass
class _Outcome:
    groups: list[list[str]]
    applied: list[Candidate]
    review: list[ReviewItem]


def _cluster(
    listings: Mapping[str, Listing],
    candidates: Mapping[str, list[Candidate]],
    judgements: Mapping[tuple[str, str], Judgement],
    params: Params,
    engine: _Engine,
) -> _Outcome:
    """Apply human decisions, then references, identifiers and engine matches."""
    clusters = Clusters(listings, {rid: rec.list_name for rid, rec in listings.items()})
    applied: list[Candidate] = []
    doubtful: list[tuple[Candidate, str]] = []
    for j in judgements.values():
        if j.decision == DIFFERENT and j.a in listings and j.b in listings:
            clusters.keep_apart(j.a, j.b)
    for j in judgements.values():
        if j.decision == SAME and j.a in listings and j.b in listings:
            clusters.union(j.a, j.b)
            applied.append(
                Candidate(
                    j.a, j.b, "judgement", 1.0, [f"judged the same by {j.user} on {j.at[:10]}"]
                )
            )

    duplicates = engine.duplicates

    def apply(cands: Iterable[Candidate], same_list_ok: bool) -> None:
        for c in cands:
            judged = judgements.get(c.key)
            if judged is not None and judged.decision != UNSURE:
                continue  # decided by a person above
            if c.doubt:
                doubtful.append((c, c.doubt))
                continue
            why = clusters.obstacle(c.a, c.b, same_list_ok=same_list_ok, duplicates=duplicates)
            if why:
                doubtful.append((c, why))
                continue
            if clusters.find(c.a) != clusters.find(c.b):
                clusters.union(c.a, c.b)
            applied.append(c)

    apply(reference_links(listings), same_list_ok=True)
    apply(
        identifier_links(listings, engine.name_score, name_floor=params.id_name_floor),
        same_list_ok=False,
    )
    apply(_engine_links(candidates, listings, params, duplicates), same_list_ok=False)

    review: dict[tuple[str, str], ReviewItem] = {}
    for c, why in doubtful:
        if c.key in judgements or clusters.find(c.a) == clusters.find(c.b):
            continue
        if c.key not in review:
            review[c.key] = ReviewItem(c, why)
    queue = sorted(review.values(), key=lambda r: (-r.candidate.score, r.candidate.key))
    return _Outcome(clusters.groups(), applied, queue)
