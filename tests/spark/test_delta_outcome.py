"""What a delta decides for one subject, without Spark: re-screen, re-score or keep."""

from __future__ import annotations

from dprkwatch.matching import Query, Screener
from dprkwatch.matching.keys import blocking_keys
from dprkwatch.spark.delta import ListChange, list_change, weight_drift
from dprkwatch.spark.screening import subject_rows

NO_CHANGE = ListChange(frozenset(), frozenset(), frozenset(), frozenset(), frozenset())
QUERIES = [
    ("Person", "Kim Jong Un"), ("Person", "Ri Su Yong"), ("Organization", "Korea Mining Development"),
    ("Person", "Choe Ryong Hae"), ("Person", "Pak Pong"),
]  # fmt: skip


def test_score_entries_scores_as_a_screen_does(screener: Screener) -> None:
    every = range(len(screener.index.records))
    for schema, name in QUERIES:
        query = Query(schema, {"name": [name]})
        shown = screener.screen(query, top=5)
        assert shown, name
        candidates, matches = screener.score_entries(screener.analyze(query), every, top=5)
        assert [m.to_dict() for m in matches[:5]] == [m.to_dict() for m in shown]
        assert {m.entity_id for m in shown} <= candidates
        # Asked about one entry, it scores that one only, the same way.
        first = screener.index.by_id[shown[0].entity_id]
        _, alone = screener.score_entries(screener.analyze(query), [first], top=5)
        assert [m.to_dict() for m in alone] == [shown[0].to_dict()]


def hits_of(screener: Screener, name: str) -> list[str]:
    return [m.entity_id for m in screener.screen(Query("Person", {"name": [name]}))]


def test_outcomes(screener: Screener) -> None:
    kim = {"id": "k", "name": "Kim Jong Un"}
    nobody = {"id": "n", "name": "Nobody In Particular"}
    kim_hits = hits_of(screener, "Kim Jong Un")
    assert kim_hits and not hits_of(screener, "Nobody In Particular")
    # New to the book, or a bad row: re-screened.
    assert NO_CHANGE.outcome(screener, dict(kim), None).kind == "screen"
    assert NO_CHANGE.outcome(screener, {"id": "b", "name": ""}, []).kind == "screen"
    # No hits, nothing in common with the update: kept.
    assert NO_CHANGE.outcome(screener, dict(nobody), []).kind == "keep"
    # Hits: re-scored, to the rows a screen writes.
    fate = NO_CHANGE.outcome(screener, dict(kim), kim_hits)
    assert fate.kind == "rescore"
    assert fate.rows == subject_rows(screener, dict(kim), 5, None, None)
    # A hit that is no longer a candidate (here: never was): re-screened.
    assert NO_CHANGE.outcome(screener, dict(nobody), [kim_hits[0]]).kind == "screen"
    # A hit the update removed or changed: re-screened.
    gone = ListChange(frozenset(), frozenset(), frozenset({kim_hits[0]}), frozenset(), frozenset())
    assert gone.outcome(screener, dict(kim), kim_hits).kind == "screen"


def test_an_updated_entry_that_would_be_ranked_is_re_screened(screener: Screener) -> None:
    """Kim Jong Un's record stands in for an entry the update added."""
    kim = {"id": "k", "name": "Kim Jong Un"}
    entry = screener.index.by_id[hits_of(screener, "Kim Jong Un")[0]]
    form_keys = frozenset(
        k for nid in screener.index.records[entry].name_ids
        for k in blocking_keys(
            screener.index.forms[nid]
        )
    )  # fmt: skip
    added = ListChange(frozenset({"x"}), frozenset(), frozenset(), form_keys, frozenset(),
                       frozenset({entry}))  # fmt: skip
    assert added.outcome(screener, dict(kim), []).kind == "screen"
    # Sharing keys with it but scoring below the floor: kept.
    assert added.outcome(screener, {"id": "o", "name": "Kim Some Other"}, []).kind == "keep"


def people(*names: str, first: int = 0) -> list[dict[str, object]]:
    return [
        {"id": f"p{i}", "schema": "Person", "properties": {"name": [name]}}
        for i, name in enumerate(names, start=first)
    ]


def test_weight_drift_is_zero_for_the_same_lists() -> None:
    lists = people("Kim Chol Su", "Ri Su Yong", "Pak Pong Ju", "John Smith")
    old, new = Screener.from_entities(lists), Screener.from_entities(lists)
    assert weight_drift(old.index, new.index) == {
        "words": 0.0, "untouched_words": 0.0, "syllables": 0.0, "untouched_syllables": 0.0,
    }  # fmt: skip


def test_weight_drift_of_an_added_name_moves_its_own_words_most() -> None:
    base = people("Kim Chol Su", "Ri Su Yong", "Pak Pong Ju", "John Smith", "Maria Lopez")
    old = Screener.from_entities(base)
    new = Screener.from_entities([*base, *people("Kim Yong Chol", first=5)])
    drift = weight_drift(old.index, new.index)
    # One name more among five: every weight moves, those of KIM, YONG and
    # CHOL (now used by more names) most.
    assert 0 < drift["untouched_words"] < drift["words"] < 1
    smith = old.index.token_weights["smith"], new.index.token_weights["smith"]
    assert drift["untouched_words"] >= round(abs(smith[1] / smith[0] - 1), 6) > 0
    kim = old.index.token_weights["kim"], new.index.token_weights["kim"]
    assert drift["words"] >= round(abs(kim[1] / kim[0] - 1), 6) > drift["untouched_words"]
    assert 0 < drift["untouched_syllables"] <= drift["syllables"]


def test_list_change_carries_the_drift_to_the_report() -> None:
    base = people("Kim Chol Su", "John Smith")
    old = Screener.from_entities(base)
    new = Screener.from_entities([*base, *people("Maria Lopez", first=2)])
    change = list_change(old, new)
    assert change.added == {"p2"}
    assert change.drift == weight_drift(old.index, new.index)
    assert change.drift["untouched_words"] > 0
