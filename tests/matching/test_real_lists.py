"""Against the real UN consolidated list (skipped without the shared data folder)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.matching import Query, Scope, Screener
from dprkwatch.matching.keys import blocking_keys
from dprkwatch.matching.postings import Postings
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def shared_data_module() -> Path:
    """The real data folder, for the whole module (skips when absent)."""
    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    return SHARED_DATA


@pytest.fixture(scope="module")
def un_screener(tmp_path_factory: pytest.TempPathFactory, shared_data_module: Path) -> Screener:
    store = SnapshotStore(tmp_path_factory.mktemp("un-home"))
    import_paths(store, [shared_data_module / "un" / "un_consolidated_2026-02-27.xml"])
    return Screener.from_store(store)


@pytest.mark.parametrize(
    "name", ["RI SU YONG", "리수용", "Lee Soo-yong", "Su-yong Ri", "Ri Suyong"]
)
def test_korean_spellings_find_the_un_entry(un_screener: Screener, name: str) -> None:
    results = un_screener.screen(Query("Person", {"name": [name]}), scope=Scope(dprk_only=True))
    assert results and results[0].caption == "RI SU YONG" and results[0].match


def test_un_company_with_korea_variant(un_screener: Screener) -> None:
    m = un_screener.screen(Query("Organization", {"name": ["Chosun Kwangson Banking Corp"]}))[0]
    assert m.match and "KWANGSON" in m.caption


def test_yente_untreated_dprk_rows_all_match(
    un_screener: Screener, shared_data_module: Path
) -> None:
    path = shared_data_module / "matching" / "yente_positives_un_untreated.csv"
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["nationality"] == "kp"]
    assert len(rows) >= 70
    missed = [
        r["full_name"]
        for r in rows
        if not any(m.match for m in un_screener.screen(Query("Person", {"name": [r["full_name"]]})))
    ]
    assert missed == []


def test_cross_script_korean_pairs(un_screener: Screener, shared_data_module: Path) -> None:
    lines = (
        (shared_data_module / "matching" / "watchman_cross_script_pairs.csv")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    pairs = [line.split(",")[:2] for line in lines if line and not line.startswith("#")]
    korean = [
        (q, e) for q, e in pairs if any("\uac00" <= ch <= "\ud7a3" for ch in q) or q == "金正恩"
    ]
    assert len(korean) >= 3
    for query, expected in korean:
        entity = {"id": "x", "schema": "Person", "properties": {"name": [expected]}}
        assert un_screener.compare(Query("Person", {"name": [query]}), entity).match, (
            query,
            expected,
        )


def test_index_counts_equal_the_straightforward_build(un_screener: Screener) -> None:
    """The build files names in numpy and counts words per distinct name; on the
    real list the posting lists and the word and syllable counts are those of
    the plain loop over the names (a dict of lists, a dict of counts). The
    counts' key order is not kept: each process of a build counts its own
    share, and nothing reads the counts in order."""
    index = un_screener.index
    postings: dict[str, list[int]] = {}
    token_df: dict[str, int] = {}
    syllable_df: dict[str, int] = {}
    for nid, form in enumerate(index.forms):
        for key in blocking_keys(form):
            postings.setdefault(key, []).append(nid)
        for tok in set(form.tokens):
            token_df[tok] = token_df.get(tok, 0) + 1
        if form.korean:
            for syl in {s.coarse for s in form.korean[0].given}:
                syllable_df[syl] = syllable_df.get(syl, 0) + 1
    assert len(index.forms) > 1000
    assert index.postings == Postings.from_lists(postings)
    assert sorted(index.postings) == sorted(postings)
    assert index.token_df == token_df
    assert index.syllable_df == syllable_df
