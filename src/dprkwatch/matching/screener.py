"""The screener: an index over the active lists plus a scoring algorithm.

Usage::

    screener = Screener.from_store(SnapshotStore(settings.home))
    for m in screener.screen(Query("Person", {"name": ["Ri Su Yong"]})):
        print(m.caption, m.score, m.match, m.explanation)

A screener is immutable once built and safe to share between threads; to
pick up newly activated snapshots build a new one (the service swaps it
atomically).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Final

from dprkwatch.exceptions import InputError
from dprkwatch.lists.snapshot import ENTITIES_FILE, Snapshot, SnapshotStore
from dprkwatch.matching import cache as index_cache
from dprkwatch.matching.algorithms import MatchV1, QueryAnalysis, Scored, get_algorithm
from dprkwatch.matching.exceptions import QueryError
from dprkwatch.matching.features import Weights
from dprkwatch.matching.index import COMMON_KEY, EntityRecord, Index, Source
from dprkwatch.matching.keys import query_keys
from dprkwatch.matching.query import Query, Scope
from dprkwatch.matching.result import Match

# Candidates scored in full per query, at least; more when ``top`` is large.
MIN_CANDIDATES: Final = 8
# Names whose blocking score is below this share of the best one are not
# scored in full: they share only common words with the query.
PRUNE_SHARE: Final = 0.45
# Names of one entity compared in full (its best-blocked ones).
NAMES_PER_ENTITY: Final = 6
# Results scoring below this are not worth a reviewer's time and are dropped.
MIN_SCORE: Final = 0.5
MAX_TOP: Final = 100


# The scope of an unscoped screen (a Scope is immutable: one serves all).
_EVERYTHING: Final = Scope()


def _not_listed(token_df: Mapping[str, int], token: str) -> bool:
    """:meth:`Index.unknown_token`, over the index's word counts."""
    return token not in token_df


def _want(top: int) -> int:
    """How many entities a screen for ``top`` results scores in full."""
    return max(MIN_CANDIDATES, top + 3)


class Screener:
    """Screens queries against an :class:`~dprkwatch.matching.index.Index`."""

    def __init__(self, index: Index, algorithm: str | None = None) -> None:
        self.index = index
        self._algo: MatchV1 = get_algorithm(algorithm)
        # A word no listed name uses: asked of the word counts directly, in
        # compiled code (Index.unknown_token is a Python method, called for
        # every query word of every name compared).
        self._weights = Weights(
            index.token_weights.__getitem__,
            index.syllable_weights.__getitem__,
            partial(_not_listed, index.token_df),
            (index.token_weights, index.token_df, index.token_weights.unseen),
        )

    # -- construction ------------------------------------------------------

    @classmethod
    def from_store(
        cls, store: SnapshotStore, algorithm: str | None = None, *, cache: bool = True
    ) -> Screener:
        """Index the active snapshot of every list in ``store``.

        With ``cache`` (the default) the built index is kept under
        ``<data dir>/cache/matching`` and reused while the same snapshots
        are active.
        """
        cache_dir = store.layout.matching_cache if cache else None
        return cls.from_snapshots(store.active(), algorithm=algorithm, cache_dir=cache_dir)

    @classmethod
    def from_snapshots(
        cls,
        snapshots: Mapping[str, Snapshot],
        algorithm: str | None = None,
        *,
        cache_dir: Path | None = None,
    ) -> Screener:
        """Index the given snapshots (``{"ofac": snap, ...}``), through a cache folder if given."""
        algo = get_algorithm(algorithm)  # fail before the expensive part
        versions = {name: snap.version for name, snap in snapshots.items()}
        path = (
            index_cache.cache_path(cache_dir, versions, algo.name)
            if cache_dir is not None
            else None
        )
        if path is not None:
            cached = index_cache.load(path)
            if cached is not None and cached.versions == versions:
                return cls(cached, algorithm)
        sources: dict[str, Source] = {
            name: snap.path / ENTITIES_FILE for name, snap in snapshots.items()
        }
        index = Index.build(sources, versions)
        if path is not None:
            index_cache.save_soon(index, path)
        return cls(index, algorithm)

    @classmethod
    def from_entities(
        cls,
        entities: Iterable[dict[str, Any]],
        list_name: str = "adhoc",
        algorithm: str | None = None,
    ) -> Screener:
        """Index FtM entity dicts directly (tests, evaluation, ad-hoc lists)."""
        return cls(Index.build({list_name: entities}, {list_name: "adhoc"}), algorithm)

    # -- properties --------------------------------------------------------

    @property
    def algorithm(self) -> str:
        """Name and version of the scoring algorithm, e.g. ``dprkwatch-match-v1``."""
        return self._algo.name

    @property
    def threshold(self) -> float:
        """The calibrated score at and above which a result is a match."""
        return self._algo.threshold

    @property
    def versions(self) -> dict[str, str]:
        """``{list_name: snapshot version}`` the index was built from."""
        return dict(self.index.versions)

    def __len__(self) -> int:
        return len(self.index)

    def get(self, entity_id: str) -> dict[str, Any] | None:
        """The FtM entity dict of a listed subject, or None."""
        return self.index.entity(entity_id)

    # -- screening -----------------------------------------------------------

    def screen(
        self,
        query: Query,
        top: int = 5,
        threshold: float | None = None,
        scope: Scope | None = None,
    ) -> list[Match]:
        """The best ``top`` candidates for ``query``, strongest first."""
        cut = self._checked("screen", query, top, threshold)
        qa = self._algo.analyze(query, self.index.vocabulary)
        return self._screen(qa, top, cut, scope or _EVERYTHING)

    def _checked(self, method: str, query: Query, top: int, threshold: float | None) -> float:
        """The threshold to use, once the arguments of a screening are checked."""
        if not isinstance(query, Query):
            raise QueryError(f"{method}() takes a Query")
        if not 1 <= top <= MAX_TOP:
            raise InputError(f"top must be between 1 and {MAX_TOP}, got {top}", where="top")
        cut = self.threshold if threshold is None else float(threshold)
        if not 0.0 <= cut <= 1.0:
            raise InputError(
                f"threshold must be between 0 and 1, got {threshold}", where="threshold"
            )
        return cut

    def screen_pool(
        self,
        query: Query,
        top: int = 5,
        threshold: float | None = None,
        scope: Scope | None = None,
    ) -> tuple[list[Match], bool]:
        """Every candidate :meth:`screen` scores for ``top``, strongest first, not cut to ``top``.

        Its first ``top`` are what :meth:`screen` answers (the same
        candidates, scored alike). Grouping hits by resolved target folds
        the rest in at no extra scoring. The flag is True when blocking
        stopped at the number of candidates ``top`` asks for, so a larger
        ``top`` would propose others.
        """
        cut = self._checked("screen_pool", query, top, threshold)
        qa = self._algo.analyze(query, self.index.vocabulary)
        want = _want(top)
        found = self._candidates(qa, scope or _EVERYTHING, want)
        return self._ranked(qa, found, len(found), cut), len(found) >= want

    def screen_widening(
        self,
        query: Query,
        top: int,
        widen: Callable[[Sequence[Match], bool], int],
        threshold: float | None = None,
        scope: Scope | None = None,
    ) -> tuple[list[Match], int]:
        """:meth:`screen_pool`, then a deeper screen when ``widen`` asks for one.

        ``widen(pool, full)`` sees the pool and whether blocking stopped at
        its limit, and answers the ``top`` to screen for: ``top`` itself to
        keep the pool, or more. Grouping by resolved target needs this when
        several listings of one target fill the page. The deeper screen is
        exactly ``screen(query, top=more)``, but the query is analysed and
        its blocking keys found once, and a candidate already scored with
        the same names is not scored again: asking :meth:`screen` a second time analysed and scored it
        all anew, which was most of what grouping cost. Returns the results
        (the pool, or the deeper screen's answer) and the ``top`` used.
        """
        cut = self._checked("screen_widening", query, top, threshold)
        qa = self._algo.analyze(query, self.index.vocabulary)
        where = scope or _EVERYTHING
        want = _want(top)
        keys = self._keys(qa)
        found = self._candidates(qa, where, want, keys)
        seen: dict[int, tuple[list[int], Scored | None]] = {}
        pool = self._ranked(qa, found, len(found), cut, memo=seen)
        more = min(MAX_TOP, widen(pool, len(found) >= want))
        if more <= top:
            return pool, top
        deeper = self._candidates(qa, where, _want(more), keys)
        return self._ranked(qa, deeper, more, cut, memo=seen), more

    def analyze(self, query: Query) -> QueryAnalysis:
        """The query as the algorithm reads it: name forms and identifiers.

        Delta screening compares these with the entries a list update
        changed, to re-screen only the subjects that could meet them. Typo
        corrections against the listed vocabulary are included, as in
        :meth:`screen`.
        """
        return self._algo.analyze(query, self.index.vocabulary)

    def search(self, text: str, limit: int = 10, scope: Scope | None = None) -> list[Match]:
        """Free-text name search across every entity type, for a search box."""
        query = Query(schema="Thing", properties={"name": [text]})
        qa = self._algo.analyze(query, self.index.vocabulary)
        return self._screen(
            qa, max(1, min(limit, MAX_TOP)), self.threshold, scope or _EVERYTHING, floor=0.3
        )

    def candidates(
        self, query: Query, want: int = 20, scope: Scope | None = None
    ) -> list[EntityRecord]:
        """Up to ``want`` listed entities the index proposes for ``query``, unscored.

        Blocking only, best-blocked first: what another scoring algorithm
        (the service offers nomenklatura's) needs to score on the same
        candidates as this one.
        """
        if not isinstance(query, Query):
            raise QueryError("candidates() takes a Query")
        qa = self._algo.analyze(query, self.index.vocabulary)
        found = self._candidates(qa, scope or _EVERYTHING, max(1, min(want, MAX_TOP * 5)))
        return [self.index.records[ent] for ent in found]

    def score_entries(
        self,
        qa: QueryAnalysis,
        entries: Collection[int],
        top: int = 5,
        threshold: float | None = None,
        scope: Scope | None = None,
    ) -> tuple[set[str], list[Match]]:
        """A screen of ``qa`` that scores only ``entries`` (record numbers) among its candidates.

        Returns the ids of every entity blocking proposes for ``qa`` (the
        candidates :meth:`screen` scores) and, strongest first, the matches
        among ``entries`` that are candidates and clear the floor, scored
        exactly as :meth:`screen` scores them. Delta screening asks this
        about a subject's previous hits and the entries a list update
        touched: far cheaper than scoring every candidate.
        """
        cut = self.threshold if threshold is None else float(threshold)
        found = self._candidates(qa, scope or _EVERYTHING, _want(top))
        wanted = set(entries)
        chosen = {ent: names for ent, names in found.items() if ent in wanted}
        records = self.index.records
        return {records[ent].id for ent in found}, self._ranked(qa, chosen, len(chosen), cut)

    def compare(
        self, query: Query, entity: dict[str, Any], threshold: float | None = None
    ) -> Match:
        """Score ``query`` against one FtM entity dict that need not be listed.

        How informative each word is still comes from the loaded lists.
        """
        index = Index.build({"adhoc": [entity]})
        qa = self._algo.analyze(query, self.index.vocabulary)
        cut = self.threshold if threshold is None else threshold
        if not index.records:
            raise QueryError("entity has no screenable schema or names", where="entity")
        rec = index.records[0]
        scored = self._algo.score(qa, rec, rec.name_ids, index, self._weights)
        if scored is None:
            return self._match(qa, rec, 0.0, {}, ["no name or identifier in common"], cut, "")
        return self._match(
            qa, rec, scored.score, scored.features, scored.reasons, cut, scored.evidence
        )

    def compare_listed(
        self, query: Query, entity_id: str, threshold: float | None = None
    ) -> Match | None:
        """Score ``query`` against a listed entity, as :meth:`compare` scores its dict.

        The entity's record is already in the index, so no ad hoc index is
        built: resolution compares some thousands of pairs of listings, and
        building a one-entity index (vocabulary, typo tables) for each cost
        most of the comparison. None when the id is not listed.
        """
        idx = self.index.by_id.get(entity_id)
        if idx is None:
            return None
        rec = self.index.records[idx]
        qa = self._algo.analyze(query, self.index.vocabulary)
        cut = self.threshold if threshold is None else threshold
        scored = self._algo.score(qa, rec, rec.name_ids, self.index, self._weights)
        if scored is None:
            return self._match(qa, rec, 0.0, {}, ["no name or identifier in common"], cut, "")
        return self._match(
            qa, rec, scored.score, scored.features, scored.reasons, cut, scored.evidence
        )

    # -- internals ---------------------------------------------------------------

    @staticmethod
    def _allowed(rec: EntityRecord, scope: Scope) -> bool:
        if scope.lists is not None and rec.list_name.lower() not in scope.lists:
            return False
        if scope.dprk_only and not rec.dprk:
            return False
        return not (
            scope.programs is not None
            and not any(p.upper() in scope.programs for p in rec.programs)
        )

    def _keys(self, qa: QueryAnalysis) -> list[str]:
        """The query's blocking keys, sorted.

        In sorted order, not a set's: a set of strings iterates in an order
        that changes with each process's string hashing (PYTHONHASHSEED), and
        the key order decides the order in which the weights are summed (the
        last bit of a pre-score) and which common key supplies the names.
        Spark's Python workers and the local engine then proposed different
        candidates for the same subject, now and then.
        """
        keys: set[str] = set()
        for form in qa.forms:
            keys |= query_keys(form)
        for form, _discount, _note in qa.corrected:
            keys |= query_keys(form)
        return sorted(keys)

    def _candidates(
        self,
        qa: QueryAnalysis,
        scope: Scope,
        want: int,
        keys: list[str] | None = None,
    ) -> dict[int, list[int]]:
        """Up to ``want`` entities blocking proposes (record number -> names to compare).

        ``keys`` are :meth:`_keys` of ``qa`` when the caller already has them.
        Names sharing a blocking key with the query are pre-scored (the sum
        of the weights of the keys they share) and the best few dozen kept;
        unscoped, the best candidate is allowed (up to its schema), so when
        there are many, names far below it are dropped before the cut.
        """
        index = self.index
        ranked = index.postings.best(
            self._keys(qa) if keys is None else keys,
            index.key_weights.__getitem__,
            COMMON_KEY,
            want * NAMES_PER_ENTITY * 2,
            want * NAMES_PER_ENTITY * 4 if scope.is_everything else -1,
            PRUNE_SHARE,
        )
        out: dict[int, list[int]] = {}
        if ranked:
            name_entity = index.name_entity
            records = index.records
            groups = qa.groups
            scoped = not scope.is_everything
            floor = -1.0
            for nid, weight in ranked:
                if weight < floor:
                    break
                ent = name_entity[nid]
                names = out.get(ent)
                if names is None:
                    if len(out) >= want:
                        continue
                    rec = records[ent]
                    if rec.group not in groups or (scoped and not self._allowed(rec, scope)):
                        continue
                    if floor < 0:
                        # Relative to the best candidate the scope allows.
                        floor = weight * PRUNE_SHARE
                    out[ent] = [nid]
                elif len(names) < NAMES_PER_ENTITY:
                    names.append(nid)
        for values, table in (
            (qa.imo, index.imo),
            (qa.mmsi, index.mmsi),
            (qa.documents, index.documents),
            (qa.wallets, index.wallets),
        ):
            for v in values:
                for ent in table.get(v, ()):
                    if ent not in out and self._allowed(index.records[ent], scope):
                        out[ent] = list(index.records[ent].name_ids[:NAMES_PER_ENTITY])
        return out

    def _screen(
        self, qa: QueryAnalysis, top: int, cut: float, scope: Scope, floor: float = MIN_SCORE
    ) -> list[Match]:
        return self._ranked(qa, self._candidates(qa, scope, _want(top)), top, cut, floor)

    def _ranked(
        self,
        qa: QueryAnalysis,
        candidates: Mapping[int, list[int]],
        top: int,
        cut: float,
        floor: float = MIN_SCORE,
        memo: dict[int, tuple[list[int], Scored | None]] | None = None,
    ) -> list[Match]:
        """The best ``top`` of ``candidates`` (record number -> names to compare), scored.

        ``memo`` keeps each candidate's score with the names it was scored
        on, and reuses it for the same names (scoring is a function of the
        query, the record and the names compared).
        """
        scored = []
        for ent, name_ids in candidates.items():
            rec = self.index.records[ent]
            known = memo.get(ent) if memo is not None else None
            if known is not None and known[0] == name_ids:
                result = known[1]
            else:
                result = self._algo.score(qa, rec, name_ids, self.index, self._weights, floor)
                if memo is not None:
                    memo[ent] = (name_ids, result)
            if result is None or result.raw < floor:
                continue
            scored.append((result.score, rec.id, rec, result))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [
            self._match(qa, rec, s.score, s.features, s.reasons, cut, s.evidence)
            for _, _, rec, s in scored[:top]
        ]

    def _match(
        self,
        qa: QueryAnalysis,
        rec: EntityRecord,
        score: float,
        features: dict[str, float],
        reasons: list[str],
        cut: float,
        evidence: str,
    ) -> Match:
        return Match(
            entity_id=rec.id,
            schema=rec.schema,
            caption=rec.caption,
            score=score,
            match=score >= cut,
            datasets=[rec.list_name],
            features=features,
            explanation=reasons,
            programs=list(rec.programs),
            dprk=rec.dprk,
            query_id=qa.query.id,
            algorithm=self._algo.name,
            evidence=evidence,
        )
