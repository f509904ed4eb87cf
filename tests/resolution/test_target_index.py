"""The bucketed target map screening reads, and grouping that widens only when it must."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from dprkwatch.exceptions import InputError
from dprkwatch.lists import SnapshotStore
from dprkwatch.matching import Query, Screener
from dprkwatch.matching.result import Match
from dprkwatch.matching.screener import MAX_TOP
from dprkwatch.resolution import run
from dprkwatch.resolution.hits import (
    WIDEN,
    TargetMap,
    group,
    index_path,
    load_map,
    load_targets,
    screen_by_target,
    targets_path,
    widening,
)
from dprkwatch.resolution.target_index import DamagedIndex, TargetIndex, encode
from tests.resolution.factory import RI_SU_YONG, write_lists


def _resolved(home: Path) -> tuple[Screener, TargetMap]:
    write_lists(home)
    run(home, workers=1)
    target_map = load_map(home)
    assert target_map is not None
    return Screener.from_store(SnapshotStore(home)), target_map


def _queries() -> list[Query]:
    """Every name of the fixture lists, as written and with a letter dropped, and a stranger."""
    out = [Query("Person", {"name": ["Jonathan Q. Nobody"]})]
    for records in RI_SU_YONG.values():
        for _rid, schema, props, _sanction in records:
            for name in props.get("name", []):
                for text in (name, name[:3] + name[4:]):
                    out.append(Query(schema, {"name": [text]}))
    return out


def test_index_answers_every_lookup_as_the_whole_map(tmp_path: Path) -> None:
    _, target_map = _resolved(tmp_path)
    index = load_targets(tmp_path)
    assert isinstance(index, TargetIndex)
    assert index.created_at == target_map.created_at
    assert len(target_map.target_of) >= 10
    for rid in target_map.target_of:
        assert index.row(rid) == target_map.row(rid)
    for tid in target_map.members:
        assert index.listings_of(tid) == target_map.listings_of(tid)
    assert index.row("ofac-no-such-id") is None and index.listings_of("dw-none") == []


def test_many_buckets_round_trip() -> None:
    rows = {f"l-{i}": (f"dw-{i // 3}", "un", f"NAME {i}") for i in range(2000)}
    members: dict[str, list[str]] = {}
    for rid, row in rows.items():
        members.setdefault(row[0], []).append(rid)
    index = TargetIndex(encode("2026-12-07T00:00:00Z", rows, members))
    assert all(index.row(rid) == row for rid, row in rows.items())
    assert all(index.listings_of(tid) == ids for tid, ids in members.items())


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:-1],
        lambda raw: raw[:10],
        lambda raw: b"NOTANIDX" + raw[8:],
        lambda raw: raw[:-5] + bytes([raw[-5] ^ 0xFF]) + raw[-4:],
        lambda raw: raw + b"x",
    ],
)
def test_damaged_index_is_refused(damage: object) -> None:
    raw = encode("t", {"a": ("dw-1", "un", "A")}, {"dw-1": ["a"]})
    assert TargetIndex(raw).row("a") == ("dw-1", "un", "A")
    with pytest.raises(DamagedIndex):
        TargetIndex(damage(raw))  # type: ignore[operator]


def test_load_targets_falls_back(tmp_path: Path) -> None:
    _resolved(tmp_path)
    # A resolution from before the index: the whole map serves.
    index_path(tmp_path).unlink()
    assert isinstance(load_targets(tmp_path), TargetMap)
    # A damaged index is not used at all (the whole map is not trusted either).
    raw = TargetMap.from_bytes(targets_path(tmp_path).read_bytes()).to_index()
    index_path(tmp_path).write_bytes(raw[:-3])
    assert load_targets(tmp_path) is None


def _ids(hits: list[dict[str, object]]) -> list[object]:
    return [h["target_id"] or h["entity_id"] for h in hits]


def test_grouped_answer_is_the_per_listing_answer_folded(tmp_path: Path) -> None:
    screener, target_map = _resolved(tmp_path)
    index = load_targets(tmp_path)
    assert index is not None
    for query in _queries():
        for top in (1, 2, 3, 5):
            results, asked = screen_by_target(screener, query, index, top=top)
            per_listing = screener.screen(query, top=asked)
            # What the screener answers per listing is where the grouped answer starts.
            assert [(m.entity_id, m.score) for m in results[: len(per_listing)]] == [
                (m.entity_id, m.score) for m in per_listing
            ]
            grouped = group(results, index, top)
            assert grouped == group(results, target_map, top)  # the index and the map agree
            assert _ids(grouped)[: len(group(per_listing, index, top))] == _ids(
                group(per_listing, index, top)
            )
            # The page holds as many targets as the scored candidates fold into.
            assert len(grouped) == min(top, len(group(results, index, len(results))))
            # Every listing of a target that scored is among its matched ones.
            for hit in grouped:
                assert hit["matched"][0] == hit["entity_id"]
                assert set(hit["matched"]) <= {hit["entity_id"], *hit["referents"]}


def test_widens_only_when_a_target_repeats_and_the_page_is_short(tmp_path: Path) -> None:
    screener, _ = _resolved(tmp_path)
    index = load_targets(tmp_path)
    assert index is not None
    asked: list[int] = []

    def full(pool: Sequence[Match], _full: bool) -> int:
        """The hook as if blocking had stopped at its limit (the fixture lists are small)."""
        asked.append(widening(index, 2)(pool, True))
        return asked[-1]

    ri = Query("Person", {"name": ["RI SU YONG"]})
    # Four listings of one man: the first two results are one target.
    results, top = screener.screen_widening(ri, 2, full)
    assert top == 2 * WIDEN and asked == [2 * WIDEN]
    assert results == screener.screen(ri, top=2 * WIDEN)
    # Blocking that did not stop at its limit could propose nothing more.
    assert widening(index, 2)(results, False) == 2
    # A stranger's results repeat no target: the pool is kept.
    asked.clear()
    stranger = Query("Person", {"name": ["Jonathan Q. Nobody"]})
    pool, top = screener.screen_widening(stranger, 2, full)
    assert top == 2 and asked == [2]
    assert pool == screener.screen_pool(stranger, top=2)[0]


def test_widened_screen_is_the_deeper_screen(tmp_path: Path) -> None:
    """Scores kept from the pool and reused give exactly what a second screening gave."""
    screener, _ = _resolved(tmp_path)
    for query in _queries():
        for top, more in ((1, 4), (2, 8), (5, 20)):
            results, used = screener.screen_widening(query, top, lambda _p, _f, n=more: n)
            assert used == more
            assert results == screener.screen(query, top=more)
        # Not asked to widen: the pool, which starts with what screen() answers.
        pool, used = screener.screen_widening(query, 3, lambda _p, _f: 3)
        assert used == 3 and pool == screener.screen_pool(query, top=3)[0]


def test_widening_refuses_a_bad_top_and_caps_a_large_one(tmp_path: Path) -> None:
    screener, _ = _resolved(tmp_path)
    ri = Query("Person", {"name": ["RI SU YONG"]})
    with pytest.raises(InputError, match="top must be between 1 and 100, got 0"):
        screener.screen_widening(ri, 0, lambda _p, _f: 5)
    with pytest.raises(InputError, match="threshold must be between 0 and 1"):
        screener.screen_widening(ri, 5, lambda _p, _f: 5, threshold=1.5)
    _, used = screener.screen_widening(ri, 5, lambda _p, _f: 10_000)
    assert used == MAX_TOP


def test_screen_pool_starts_with_what_screen_answers(tmp_path: Path) -> None:
    screener, _ = _resolved(tmp_path)
    for query in _queries():
        for top in (1, 3, 5):
            pool, _full = screener.screen_pool(query, top=top)
            answer = screener.screen(query, top=top)
            assert pool[:top] == answer
            assert [m.score for m in pool] == sorted((m.score for m in pool), reverse=True)
