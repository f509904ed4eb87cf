"""The scoring shortcuts are exact: they only skip work whose result could not count."""

from __future__ import annotations

import itertools

import pytest

from dprkwatch.matching import Query, Scope, Screener
from dprkwatch.matching import features as F
from dprkwatch.matching.algorithms import QUALIFIERS_CEILING
from dprkwatch.matching.analysis import analyze_name

DATES = [(), ("1970",), ("1970-05",), ("1970-05-01",), ("1971-02-03",), ("1968",), ("1985-05-01",)]
COUNTRIES = [(), ("kp",), ("cn",), ("kp", "cn")]
GENDERS = [(), ("male",), ("female",)]
NUMBERS = ["KUM UN SAN", "KUM UN SAN 2", "KUM UN SAN 3"]
IMOS = [(), ("8660313",), ("9114555",)]


def test_qualifiers_never_add_more_than_the_ceiling() -> None:
    most = 0.0
    forms = [analyze_name(n, "vessel")[0] for n in NUMBERS]
    for qd, cd in itertools.product(DATES, DATES):
        for qc, cc in itertools.product(COUNTRIES, COUNTRIES):
            for qg, cg in itertools.product(GENDERS, GENDERS):
                added = (
                    F.birth_date(qd, cd).value
                    + F.nationality(qc, cc).value
                    + F.gender(qg, cg).value
                )
                most = max(most, added)
    for a, b in itertools.product(forms, forms):
        assert F.number_conflict(a, b).value <= 0.0
    for qi, ci in itertools.product(IMOS, IMOS):
        assert F.identifier_conflict("imo", qi, ci).value <= 0.0
    assert 0.0 < most < QUALIFIERS_CEILING


QUERIES = [
    Query("Person", {"name": ["Kim Jong Un"], "birthDate": ["1984-01-08"], "nationality": ["kp"]}),
    Query("Person", {"name": ["Kim Chol"], "birthDate": ["1950"], "nationality": ["cn"]}),
    Query("Person", {"name": ["John Smith"], "birthDate": ["1990-01-01"], "nationality": ["gb"]}),
    Query("Person", {"name": ["Ri Su Yong"]}),
    Query("Organization", {"name": ["Joseon Gwangseon Bank"]}),
    Query("Thing", {"name": ["Cheonmasan"]}),
    Query("Vessel", {"imoNumber": ["8660313"]}),
    Query("Vessel", {"name": ["CHON MA SAN"], "imoNumber": ["9114555"]}),
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("floor", [0.0, 0.3, 0.5, 0.8, 0.95])
def test_a_floor_only_drops_candidates_that_score_below_it(
    screener: Screener, query: Query, floor: float
) -> None:
    algo = screener._algo
    index = screener.index
    qa = algo.analyze(query, index.vocabulary)
    for rec in index.records:
        full = algo.score(qa, rec, rec.name_ids, index, screener._weights)
        cut = algo.score(qa, rec, rec.name_ids, index, screener._weights, floor)
        if cut is None:
            assert full is None or full.raw < floor
        else:
            assert cut == full


@pytest.mark.parametrize("query", QUERIES)
def test_screening_ranks_like_scoring_every_entity(screener: Screener, query: Query) -> None:
    """Screening through the index gives what scoring every listed entity gives, for these queries."""
    algo = screener._algo
    index = screener.index
    qa = algo.analyze(query, index.vocabulary)
    expected = []
    for rec in index.records:
        if rec.group not in qa.groups:
            continue
        s = algo.score(qa, rec, rec.name_ids[:6], index, screener._weights)
        if s is not None and s.raw >= 0.5:
            expected.append((-s.score, rec.id))
    got = [(-m.score, m.entity_id) for m in screener.screen(query, top=100, scope=Scope())]
    assert got == sorted(expected)[: len(got)]
