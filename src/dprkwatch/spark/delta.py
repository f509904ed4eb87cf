"""Delta screening on Spark: after a list update, re-screen only the subjects it could affect.

A subject's candidates come from the posting lists of its blocking keys
(those of its names and of their typo corrections against the listed
vocabulary) and from the identifier tables (IMO, MMSI, documents, wallets);
no entry is ever compared with a subject that shares none of them. So a
list update can change a subject's candidates only if the subject meets a
blocking key or an identifier of an entry the update **added**, **changed**
or **removed** (the keys of the entry's names before and after). A subject
is re-screened when

* it meets such a key or identifier under the new lists, or
* its previous rows name a changed or removed entry (this also covers a
  subject that reached a removed entry through a typo correction the new
  vocabulary no longer makes), or
* it has no previous rows (a subject new to the book), or its row cannot
  be screened (its error row is written again).

Every other subject keeps its previous rows, and subjects gone from the
book lose theirs. What this leaves out is global: how informative a word
is (its share of all listed names) moves a little with every entry added or
removed, so an untouched subject's score against an untouched entry can
move in the third or fourth decimal. ``benchmarks/spark_screening.py``
counts the rows in which a delta screen differs from a full re-screen.

Alerts follow the service's delta screening
(:mod:`dprkwatch.service.rescreen`): ``new`` (a match now that was not
one before), ``changed`` (still a match, and the entry was changed by the
update) and ``removed`` (a match before, not now), among the re-screened
subjects.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from dprkwatch.matching import Scope, Screener, subjects
from dprkwatch.matching.index import EntityRecord, Index, blocking_keys, query_keys
from dprkwatch.spark.screening import (
    check_options,
    map_subjects,
    prepare,
    screen_selected,
)
from dprkwatch.spark.shipping import Shipment, ShippedIndex

_ID_TABLES = ("imo", "mmsi", "documents", "wallets")
# Columns the delta adds to each subject: it has previous rows; they name a changed entry.
_KNOWN = "_dprkwatch_known"
_TOUCHED = "_dprkwatch_touched"


@dataclass(frozen=True)
class ListChange:
    """What a list update did to the index: entries, and the keys that reach them."""

    added: frozenset[str]
    changed: frozenset[str]
    removed: frozenset[str]
    keys: frozenset[str]
    identifiers: frozenset[tuple[str, str]]  # (table, value), e.g. ("imo", "8660313")

    @property
    def entities(self) -> frozenset[str]:
        return self.added | self.changed | self.removed

    def meets(self, screener: Screener, record: dict[str, Any]) -> bool:
        """Whether the subject in ``record`` shares a blocking key or identifier with the change.

        A row that gives no query (a bad row) is re-screened, so that its
        error row is written again.
        """
        row = subjects.record_subject(0, record)
        if row.query is None:
            return True
        qa = screener.analyze(row.query)
        for form in (*qa.forms, *(corrected for corrected, _, _ in qa.corrected)):
            if not self.keys.isdisjoint(query_keys(form)):
                return True
        return any(
            (table, value) in self.identifiers
            for table in _ID_TABLES
            for value in getattr(qa, table)
        )


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


def list_change(old: Screener, new: Screener) -> ListChange:
    """The entries added, changed and removed between two screeners, and their keys."""
    a, b = _entries(old.index), _entries(new.index)
    added = frozenset(b.keys() - a.keys())
    removed = frozenset(a.keys() - b.keys())
    changed = frozenset(k for k in a.keys() & b.keys() if a[k] != b[k])
    keys_old, ids_old = _reach(old.index, changed | removed)
    keys_new, ids_new = _reach(new.index, changed | added)
    return ListChange(
        added, changed, removed, frozenset(keys_old | keys_new), frozenset(ids_old | ids_new)
    )


def delta_batches(
    batches: Iterable[pa.RecordBatch],
    shipment: Shipment,
    change: ListChange,
    top: int,
    threshold: float | None,
    scope: Scope | None,
) -> Iterator[pa.RecordBatch]:
    """The task body: screen the subjects the change reaches, skip the rest."""

    def reached(screener: Screener, record: dict[str, Any]) -> bool:
        known = record.pop(_KNOWN)
        touched = record.pop(_TOUCHED)
        return not known or bool(touched) or change.meets(screener, record)

    return screen_selected(batches, shipment, top, threshold, scope, reached)


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

    ``fresh``: the rows of the re-screened subjects; ``hits``: the whole
    book's rows after the update (previous rows of every other subject plus
    ``fresh``); ``alerts``: new, changed and removed matches.
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
    """Re-screen the subjects of ``df`` that the update from ``old`` to ``new`` could affect.

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
    before_ids = previous.where(F.col("query_id").isNotNull()).select("query_id").distinct()
    gone = sorted(change.changed | change.removed)
    touched_ids = (
        previous.where(F.col("entity_id").isin(gone)).select("query_id").distinct()
        if gone
        else before_ids.limit(0)
    )
    subjects_df = prepare(df, name, partitions)
    key = subject_id(F.col("id"))
    flagged = (
        subjects_df.join(
            before_ids.select(F.col("query_id").alias("_k"), F.lit(True).alias(_KNOWN)),
            key == F.col("_k"), "left",
        )
        .drop("_k")
        .join(
            touched_ids.select(F.col("query_id").alias("_t"), F.lit(True).alias(_TOUCHED)),
            key == F.col("_t"), "left",
        )
        .drop("_t")
    )  # fmt: skip
    fresh = map_subjects(flagged, task).persist()
    screened = fresh.select("query_id").distinct()
    in_book = subjects_df.select(subject_id(F.col("id")).alias("query_id")).distinct()
    kept = previous.join(in_book, "query_id", "left_semi").join(screened, "query_id", "left_anti")
    hits = kept.unionByName(fresh)
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
