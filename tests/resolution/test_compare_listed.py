"""The resolver's comparisons of two listings score exactly as before, without ad hoc indexes."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

from dprkwatch.lists.snapshot import SnapshotStore
from dprkwatch.matching import Query, Screener
from dprkwatch.resolution.evidence import query_for
from dprkwatch.resolution.listing_cache import read_active
from tests.resolution.factory import write_lists


def test_compare_listed_scores_as_compare_does(tmp_path: Path) -> None:
    write_lists(tmp_path)
    store = SnapshotStore(tmp_path)
    screener = Screener.from_store(store, algorithm="dprkwatch-match-v1")
    listings, _ = read_active(store.active(), tmp_path / "cache")
    compared = 0
    for a, b in itertools.permutations(sorted(listings), 2):
        query = query_for(listings[a])
        entity = screener.get(b)
        if query is None or entity is None:
            continue
        names = Query(schema=query.schema, properties={"name": list(query.get("name"))})
        for q in (query, names):
            before = screener.compare(q, entity)
            after = screener.compare_listed(q, b)
            assert after is not None
            assert (after.score, after.features, after.explanation) == (
                before.score,
                before.features,
                before.explanation,
            ), (a, b)
            compared += 1
    assert compared > 50  # every ordered pair of the ten listings, names and full
    assert screener.compare_listed(Query(schema="Person", properties={"name": ["X"]}), "no") is None


def _cleaned(query: Query) -> Query:
    """The same query with every value cleaned by the query itself."""
    return Query(schema=query.schema, properties=dict(query.properties), id=query.id)


def test_listing_queries_are_the_cleaned_ones(tmp_path: Path) -> None:
    write_lists(tmp_path)
    store = SnapshotStore(tmp_path)
    listings, _ = read_active(store.active(), tmp_path / "cache")
    with_countries = 0
    for rec in listings.values():
        query = query_for(rec)
        if query is None:
            continue
        assert query == _cleaned(query), rec.id
        with_countries += bool(query.get("nationality") or query.get("country"))
    assert with_countries >= 3
    # Values in another form than a snapshot's are still cleaned (or dropped).
    rec = next(r for r in listings.values() if r.nationality)
    odd = replace(rec, nationality=["North Korea", "kp"], gender=["M"])
    query = query_for(odd)
    assert query is not None and query.get("nationality") == ["kp"]
    assert query.get("gender") == ["male"]
    assert query_for(replace(rec, nationality=["Atlantis"])) is not None
