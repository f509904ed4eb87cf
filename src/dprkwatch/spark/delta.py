"""Delta screening on Spark: after a list update, re-screen only the subjects it could affect.

A subject's candidates come from the posting lists of its blocking keys
(those of its names and of their typo corrections against the listed
vocabulary) and from the identifier tables (IMO, MMSI, documents, wallets);
no entry is ever compared with a subject that shares none of them. An
update changes a subject's results only if an entry it **added** or
**changed** enters them, or an entry the subject had as a hit was
**changed** or **removed**, or a previous hit is no longer a candidate. For
each subject of the book, in this order:

* no previous rows (new to the book), a row that cannot be screened (its
  error row is written again), or previous rows that name a changed or
  removed entry: **re-screened**;
* no previous hits, and no blocking key or identifier in common with an
  added or changed entry (under the new lists): **kept** as it was;
* otherwise the new lists' candidates for the subject are found, and only
  its previous hits and the added or changed entries among the candidates
  are scored (:meth:`dprkwatch.matching.Screener.score_entries`). If a
  previous hit is no longer a candidate or falls below the floor, or an
  updated entry would be ranked (among the ``top``): **re-screened**.
  Otherwise the previous hits, with their new scores, are its rows:
  **re-scored**, or kept as they were when it had no hits.

Re-scoring matters because scores are not local: how informative a word is
(its share of all listed names) moves a little with every name added or
removed, so a subject's score against an untouched entry can move in the
third or fourth decimal, and with it a rank or a match flag at the
threshold. Re-scored rows are what a full screen gives for the same
entries. What a delta still cannot see without scoring every candidate: an
entry that was *not* a hit crossing the floor (or into the ``top``) on such
a drift alone, or taking the place of a removed entry among the candidates.
``benchmarks/spark_screening.py`` counts the rows in which a delta screen
differs from a full re-screen; the tests show them equal.

Alerts follow the service's delta screening
(:mod:`dprkwatch.service.rescreen`): ``new`` (a match now that was not
one before), ``changed`` (still a match, and the entry was changed by the
update) and ``removed`` (a match before, not now), among the re-screened
subjects.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from dprkwatch.matching import Scope, Screener, subjects
from dprkwatch.matching.algorithms import QueryAnalysis
from dprkwatch.matching.batch_files import result_row
from dprkwatch.matching.index import EntityRecord, Index
from dprkwatch.matching.keys import blocking_keys, query_keys
from dprkwatch.spark.columns import ARROW_SCHEMA, SPARK_SCHEMA
from dprkwatch.spark.screening import (
    check_options,
    map_subjects,
    prepare,
    subject_batches,
    subject_rows,
)
from dprkwatch.spark.shipping import Shipment, ShippedIndex

_ID_TABLES = ("imo", "mmsi", "documents", "wallets")
# Columns the delta adds to each subject from its previous rows (that it has
# some, and the entities they name), and to each output row (re-scored, not
# re-screened).
_KNOWN = "_dprkwatch_known"
_HITS = "_dprkwatch_hits"
RESCORED = "_dprkwatch_rescored"
_DELTA_ARROW = ARROW_SCHEMA.append(pa.field(RESCORED, pa.bool_()))
_DELTA_SPARK = f"{SPARK_SCHEMA}, `{RESCORED}` boolean"


@dataclass(frozen=True)
class ListChange:
    """What a list update did to the index: entries, and the keys that reach them.

    ``records``: the record numbers, in the new index, of the added and
    changed entries (what :meth:`Screener.entering` scores).
    """

    added: frozenset[str]
    changed: frozenset[str]
    removed: frozenset[str]
    keys: frozenset[str]
    identifiers: frozenset[tuple[str, str]]  # (table, value), e.g. ("imo", "8660313")
    records: frozenset[int] = frozenset()
    # How far the scoring weights moved (see weight_drift).
    drift: dict[str, float] = field(default_factory=dict)

    @property
    def entities(self) -> frozenset[str]:
        return self.added | self.changed | self.removed

    def meets(self, qa: QueryAnalysis) -> bool:
        """Whether the analysed subject shares a blocking key or identifier with the change."""
        for form in (*qa.forms, *(corrected for corrected, _, _ in qa.corrected)):
            if not self.keys.isdisjoint(query_keys(form)):
                return True
        return any(
            (table, value) in self.identifiers
            for table in _ID_TABLES
            for value in getattr(qa, table)
        )

    def outcome(
        self,
        screener: Screener,
        record: dict[str, Any],
        hits: Iterable[str] | None,
        top: int = 5,
        threshold: float | None = None,
        scope: Scope | None = None,
    ) -> Outcome:
        """What the update does to the subject in ``record`` (see the module docstring).

        ``hits`` are the entities of its previous rows (None: it has none,
        it is new to the book); ``screener`` holds the new lists.
        """
        if hits is None:
            return Outcome("screen")
        before = set(hits)
        if not before.isdisjoint(self.changed | self.removed):
            return Outcome("screen")
        row = subjects.record_subject(0, record)
        if row.query is None:
            return Outcome("screen")
        qa = screener.analyze(row.query)
        meets = self.meets(qa)
        if not meets and not before:
            return Outcome("keep")
        by_id = screener.index.by_id
        entries = {by_id[h] for h in before if h in by_id}
        if meets:
            entries |= self.records
        _, matches = screener.score_entries(qa, entries, top, threshold, scope)
        ranked = matches[:top]
        if not before <= {m.entity_id for m in matches}:
            return Outcome("screen")  # a previous hit left the candidates or the floor
        if any(m.entity_id not in before for m in ranked):
            return Outcome("screen")  # an updated entry would be ranked
        if not before:
            return Outcome("keep")
        return Outcome(
            "rescore", [result_row(row.subject_id, i, m) for i, m in enumerate(ranked, 1)]
        )


@dataclass(frozen=True)
class Outcome:
    """A subject's fate in a delta: ``screen``, ``keep`` or ``rescore`` (with its new rows)."""

    kind: str
    rows: list[dict[str, Any]] | None = None


def _fingerprint(index: Index, rec: EntityRecord) -> tuple[Any, ...]:
    """Everything about an entry that screening reads."""
    names = sorted((index.name_kind[n], index.forms[n].text) for n in rec.name_ids)
    return (
        rec.schema, rec.caption, rec.list_name, rec.programs, rec.dprk, tuple(names),
        sorted(rec.birth_dates), sorted(rec.countries), sorted(rec.gender), sorted(rec.imo),
        sorted(rec.mmsi), sorted(rec.documents), sorted(rec.wallets),
    )  # fmt: skip


def _entries(index: Index) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    for rec in index.records:
        out.setdefault(rec.id, []).append(_fingerprint(index, rec))
    return {k: sorted(v) for k, v in out.items()}


def _reach(index: Index, ids: Iterable[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """Blocking keys and identifiers of the entries ``ids`` in ``index``."""
    wanted = set(ids)
    keys: set[str] = set()
    idents: set[tuple[str, str]] = set()
    for rec in index.records:
        if rec.id not in wanted:
            continue
        for nid in rec.name_ids:
            keys |= blocking_keys(index.forms[nid])
        for table, values in (
            ("imo", rec.imo), ("mmsi", rec.mmsi), ("documents", rec.documents),
            ("wallets", rec.wallets),
        ):  # fmt: skip
            idents.update((table, v) for v in values)
    return keys, idents


def weight_drift(old: Index, new: Index) -> dict[str, float]:
    """The largest relative change of a word's and of a Korean syllable's weight, old to new.

    A delta keeps the rows of the subjects it does not re-screen, but every
    weight depends on how many names are listed, so their scores move with
    any update; a candidate just under the scoring floor (or just outside
    ``top``) can cross it, and only a full screen shows it (about 17
    subjects in a million after a 1 % update). This says how far the
    weights moved, for the words and syllables the update did not touch
    (``untouched_*``, what moves the scores of kept subjects) and for all:
    a score of 0.5 moves by at most about that share of itself.
    """
    words, untouched_words = _largest_change(
        old.token_weights, new.token_weights, old.token_df, new.token_df
    )
    syllables, untouched_syllables = _largest_change(
        old.syllable_weights, new.syllable_weights, old.syllable_df, new.syllable_df
    )
    return {
        "words": words, "untouched_words": untouched_words,
        "syllables": syllables, "untouched_syllables": untouched_syllables,
    }  # fmt: skip


def _largest_change(
    before: Mapping[str, float],
    after: Mapping[str, float],
    df_before: Mapping[str, int],
    df_after: Mapping[str, int],
) -> tuple[float, float]:
    """(largest relative change of a weight in both, of one whose count did not change), rounded."""
    largest = untouched = 0.0
    for key, weight in before.items():
        if not weight or key not in after:
            continue
        change = abs(after[key] / weight - 1.0)
        largest = max(largest, change)
        if df_before.get(key) == df_after.get(key):
            untouched = max(untouched, change)
    return round(largest, 6), round(untouched, 6)


def list_change(old: Screener, new: Screener) -> ListChange:
    """The entries added, changed and removed between two screeners, and their keys."""
    a, b = _entries(old.index), _entries(new.index)
    added = frozenset(b.keys() - a.keys())
    removed = frozenset(a.keys() - b.keys())
    changed = frozenset(k for k in a.keys() & b.keys() if a[k] != b[k])
    keys_old, ids_old = _reach(old.index, changed | removed)
    keys_new, ids_new = _reach(new.index, changed | added)
    records = frozenset(r.idx for r in new.index.records if r.id in added or r.id in changed)
    return ListChange(
        added, changed, removed, frozenset(keys_old | keys_new), frozenset(ids_old | ids_new),
        records, weight_drift(old.index, new.index),
    )  # fmt: skip


def delta_batches(
    batches: Iterable[pa.RecordBatch],
    shipment: Shipment,
    change: ListChange,
    top: int,
    threshold: float | None,
    scope: Scope | None,
) -> Iterator[pa.RecordBatch]:
    """The task body: rows of the subjects the change re-screens or re-scores; none for the rest."""

    def rows_of(screener: Screener, record: dict[str, Any]) -> list[dict[str, Any]]:
        known = record.pop(_KNOWN)
        hits = record.pop(_HITS)
        fate = change.outcome(screener, record, hits if known else None, top, threshold, scope)
        if fate.kind == "keep":
            return []
        if fate.kind == "rescore":
            assert fate.rows is not None
            return [{**r, RESCORED: True} for r in fate.rows]
        rows = subject_rows(screener, record, top, threshold, scope)
        return [{**r, RESCORED: False} for r in rows]

    return subject_batches(batches, shipment, rows_of, _DELTA_ARROW)


def subject_id(column: Any) -> Any:
    """The id the local reader gives a row (blanks folded, 200 characters), as a Spark column.

    A row whose id is read differently here (a number written as a float,
    non-ASCII blanks) is only ever taken for a new subject and re-screened.
    """
    from pyspark.sql import functions as F

    folded = F.trim(F.regexp_replace(column.cast("string"), r"\s+", " "))
    return F.substring(folded, 1, 200)


@dataclass
class Delta:
    """The result of a delta screen (DataFrames are lazy until used).

    ``fresh``: the new rows of the re-screened and re-scored subjects (the
    hits' columns and ``_dprkwatch_rescored``, true for a re-scored one);
    ``hits``: the whole book's rows after the update (previous rows of every
    other subject plus ``fresh``); ``alerts``: new, changed and removed
    matches.
    """

    change: ListChange
    fresh: Any
    hits: Any
    alerts: Any


def rescreen(
    df: Any,
    previous: Any,
    old: Screener,
    new: ShippedIndex,
    *,
    top: int = 5,
    threshold: float | None = None,
    scope: Scope | None = None,
    partitions: int | None = None,
    name: str = "input",
) -> Delta:
    """Re-screen (or re-score) the subjects of ``df`` the update from ``old`` to ``new`` affects.

    ``previous`` holds the hits of the last screen of ``df`` against
    ``old`` (the output of :func:`dprkwatch.spark.screen`). ``fresh`` is
    computed once and kept (``persist``) because ``hits`` and ``alerts``
    both read it.
    """
    from pyspark.sql import functions as F

    check_options(top, threshold)
    change = list_change(old, new.screener)
    task = functools.partial(
        delta_batches, shipment=new.shipment, change=change, top=top, threshold=threshold,
        scope=scope,
    )  # fmt: skip
    # One row per previous subject and the hits it had (an error row or a
    # row without hits names none).
    summary = (
        previous.where(F.col("query_id").isNotNull())
        .groupBy(F.col("query_id").alias("_k"))
        .agg(F.lit(True).alias(_KNOWN), F.collect_list("entity_id").alias(_HITS))
    )
    subjects_df = prepare(df, name, partitions)
    key = subject_id(F.col("id"))
    flagged = subjects_df.join(summary, key == F.col("_k"), "left").drop("_k")
    fresh = map_subjects(flagged, task, _DELTA_SPARK).persist()
    screened = fresh.select("query_id").distinct()
    in_book = subjects_df.select(subject_id(F.col("id")).alias("query_id")).distinct()
    kept = previous.join(in_book, "query_id", "left_semi").join(screened, "query_id", "left_anti")
    hits = kept.unionByName(fresh.drop(RESCORED))
    before = previous.join(screened, "query_id", "left_semi").where(F.col("match"))
    after = fresh.where(F.col("match"))
    on = ["query_id", "entity_id"]
    changed_ids = list(change.changed)
    alerts = (
        after.join(before.select(*on), on, "left_anti")
        .select(*on, "score", "caption", F.lit("new").alias("kind"))
        .unionByName(
            before.join(after.select(*on), on, "left_anti").select(
                *on,
                F.lit(None).cast("double").alias("score"),
                "caption",
                F.lit("removed").alias("kind"),
            )
        )
        .unionByName(
            after.join(before.select(*on), on, "left_semi")
            .where(F.col("entity_id").isin(changed_ids))
            .select(*on, "score", "caption", F.lit("changed").alias("kind"))
        )
    )
    return Delta(change, fresh, hits, alerts)
