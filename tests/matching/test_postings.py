"""Packed posting lists: the numpy pre-score must equal the dict loop it replaced, bit for
bit, and the C kernel (pre-score and cut in one call) must equal numpy."""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable

import numpy as np
import pytest

from dprkwatch.matching import postings as postings_module
from dprkwatch.matching.postings import Postings, top

needs_kernel = pytest.mark.skipif(
    postings_module._kernel() is None, reason="the C kernel is not built (make native)"
)


def dict_prescore(
    lists: dict[str, list[int]], keys: list[str], weight: Callable[[int], float], common: int
) -> dict[int, float]:
    """The screener's original pre-score loop (insertion order matters for ties)."""
    acc: dict[int, float] = {}
    deferred: list[str] = []
    for key in keys:
        plist = lists.get(key)
        if plist is None:
            continue
        if len(plist) > common:
            deferred.append(key)
            continue
        w = weight(len(plist))
        for nid in plist:
            acc[nid] = acc.get(nid, 0.0) + w
    for key in deferred:
        w = weight(len(lists[key]))
        if acc:
            members = set(lists[key])
            for nid in acc:
                if nid in members:
                    acc[nid] += w
        else:
            for nid in lists[key]:
                acc[nid] = acc.get(nid, 0.0) + w
    return acc


def random_lists(
    rng: random.Random, n_names: int, n_keys: int, common: int
) -> dict[str, list[int]]:
    lists: dict[str, list[int]] = {}
    for k in range(n_keys):
        size = rng.choice((1, 2, 3, 5, 8, 20, common - 1, common, common + 1, common * 3))
        lists[f"k{k}"] = sorted(rng.sample(range(n_names), min(size, n_names)))
    return lists


@pytest.mark.parametrize("seed", range(40))
def test_prescore_equals_the_dict_loop(seed: int) -> None:
    rng = random.Random(seed)
    n_names, common = 500, 30
    lists = random_lists(rng, n_names, 60, common)
    postings = Postings.from_lists(lists)
    # Unknown keys, only-common keys and mixes all occur.
    keys = rng.sample([*lists, "missing-1", "missing-2"], rng.randint(0, 12))
    # The index's key weight: log(1 + names / list length).
    weight = lambda n: math.log(1.0 + n_names / n)  # noqa: E731
    expected = dict_prescore(lists, keys, weight, common)
    ids, sums = postings.prescore(keys, weight, common)
    assert ids.tolist() == list(expected), "same names in first-seen order"
    assert sums.tolist() == list(expected.values()), "identical floating-point sums"
    want = rng.choice((1, 5, 96, 1000))
    by_sum_then_id = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))
    assert top(ids, sums, want) == by_sum_then_id[:want]


def test_only_common_keys_take_the_first_common_list_and_confirm_with_the_rest() -> None:
    lists = {"a": [1, 2, 3, 4], "b": [2, 4, 6, 8], "c": [0, 4], "rare": [6]}
    postings = Postings.from_lists(lists)
    weight = {4: 1.0, 2: 3.0, 1: 5.0}
    for keys in (["a", "b"], ["b", "a", "missing"], ["a", "b", "c"], ["rare", "a", "b"]):
        expected = dict_prescore(lists, keys, weight.__getitem__, common=3)
        ids, sums = postings.prescore(keys, weight.__getitem__, 3)
        assert list(zip(ids.tolist(), sums.tolist(), strict=True)) == list(expected.items())
    ids, _ = postings.prescore(["b", "a"], weight.__getitem__, 3)
    assert ids.tolist() == [2, 4, 6, 8], "names of later common keys are not added"


def test_top_breaks_ties_by_name_number_whatever_the_order_met() -> None:
    ids = np.array([7, 3, 9, 1, 4], dtype=np.int32)
    sums = np.array([1.0, 2.0, 1.0, 2.0, 1.0])
    assert top(ids, sums, 3) == [(1, 2.0), (3, 2.0), (4, 1.0)]
    assert top(ids, sums, 10) == [(1, 2.0), (3, 2.0), (4, 1.0), (7, 1.0), (9, 1.0)]
    # The same names met in another order (another order of the query's
    # keys): the same cut, including among the names tied at it.
    flipped = top(ids[::-1].copy(), sums[::-1].copy(), 3)
    assert flipped == top(ids, sums, 3)


def test_top_cut_among_many_ties_is_the_lowest_numbers() -> None:
    # More than twice n names, so the partition path runs; 40 tie at the cut.
    rng = random.Random(5)
    ids = np.array(rng.sample(range(1000), 60), dtype=np.int32)
    sums = np.array([2.0] * 3 + [1.0] * 40 + [0.5] * 17)
    expected = [(int(i), 2.0) for i in sorted(ids[:3].tolist())]
    expected += [(int(i), 1.0) for i in sorted(ids[3:43].tolist())[:7]]
    assert top(ids, sums, 10) == expected


def test_mapping_view_and_cache_round_trip() -> None:
    lists = {"t:kim": [0, 4, 9], "t:su": [4], "m:sn": [1, 2]}
    postings = Postings.from_lists(lists)
    assert len(postings) == 3 and "t:su" in postings and "t:x" not in postings
    assert postings["t:kim"].tolist() == [0, 4, 9]
    assert postings.get("t:x") is None
    with pytest.raises(KeyError):
        postings["t:x"]
    again = Postings.from_plain(postings.to_plain())
    assert again == postings
    assert again != Postings.from_lists({**lists, "t:su": [5]})


@pytest.mark.parametrize(
    "state",
    [
        ({"t:kim": 3}, b"\x00\x00\x00\x00"),  # three names promised, one stored
        ({"t:kim": (5 << 32) | 1}, b"\x00" * 8),  # starts past the end
        ({"t:kim": 1}, b"\x00\x00\x00"),  # not whole int32s
        ({"t:kim": 1}, b"\xff\xff\xff\xff"),  # a negative id
        (["t:kim"], b""),
    ],
)
def test_malformed_cached_postings_are_refused(state: tuple[object, bytes]) -> None:
    with pytest.raises((ValueError, TypeError)):
        Postings.from_plain(state)


@pytest.mark.parametrize("way", ["numpy", "kernel"])
def test_threads_sharing_postings_get_their_own_scratch(way: str) -> None:
    """A Screener is shared between threads: the scratch arrays of the pre-score
    (numpy's, and the kernel's for the cut) must not be."""
    if way == "kernel" and postings_module._kernel() is None:
        pytest.skip("the C kernel is not built (make native)")
    rng = random.Random(5)
    n_names, common = 400, 25
    lists = random_lists(rng, n_names, 80, common)
    postings = Postings.from_lists(lists)

    def weight(n: int) -> float:
        return math.log(1.0 + n_names / n)

    cases = [rng.sample(list(lists), rng.randint(1, 10)) for _ in range(200)]
    if way == "numpy":
        expected = [list(dict_prescore(lists, keys, weight, common).items()) for keys in cases]
    else:
        expected = [best_by_dict(lists, keys, weight, common, 50, 60, 0.45) for keys in cases]

    def answer(keys: list[str]) -> list[tuple[int, float]]:
        if way == "kernel":
            return postings.best(keys, weight, common, 50, 60, 0.45)
        ids, sums = postings.prescore(keys, weight, common)
        return list(zip(ids.tolist(), sums.tolist(), strict=True))

    assert wrong_in_threads(answer, cases, expected) == []


def wrong_in_threads(
    answer: Callable[[list[str]], list[tuple[int, float]]],
    cases: list[list[str]],
    expected: list[list[tuple[int, float]]],
) -> list[int]:
    """The cases answered wrongly by four threads answering them all twenty times."""
    failures: list[int] = []

    def run(offset: int) -> None:
        for _ in range(20):
            for i in range(offset, len(cases), 4):
                if answer(cases[i]) != expected[i]:
                    failures.append(i)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures


@pytest.mark.parametrize("seed", range(20))
def test_from_names_equals_the_lists_it_replaced(seed: int) -> None:
    """Built from each name's keys, the posting lists (and the order of their
    keys) are those of appending every name to a dict of lists."""
    rng = random.Random(seed)
    keys_of_names = [
        tuple(rng.sample([f"k{k}" for k in range(40)], rng.randrange(0, 8))) for _ in range(300)
    ]
    lists: dict[str, list[int]] = {}
    for nid, keys in enumerate(keys_of_names):
        for key in keys:
            lists.setdefault(key, []).append(nid)
    built = Postings.from_names(keys_of_names)
    assert built == Postings.from_lists(lists)
    assert list(built) == list(lists)
    assert built.to_plain()[1] == Postings.from_lists(lists).to_plain()[1]


def test_from_names_of_nothing() -> None:
    assert len(Postings.from_names([])) == 0
    assert len(Postings.from_names([(), ()])) == 0
    assert len(Postings.from_codes([], [])) == 0


@pytest.mark.parametrize("seed", range(10))
def test_keys_numbered_in_any_order_give_the_same_lists(seed: int) -> None:
    """The build numbers keys as it analyses names (in its own order, some
    numbered and then unused): the lists are those of the keys themselves."""
    rng = random.Random(seed)
    keys = [f"k{k}" for k in range(40)]
    keys_of_names = [tuple(rng.sample(keys, rng.randrange(0, 8))) for _ in range(300)]
    order = list(keys)
    rng.shuffle(order)
    number = {key: i for i, key in enumerate(order)}
    codes = [tuple(number[key] for key in name) for name in keys_of_names]
    built = Postings.from_codes(codes, order)
    expected = Postings.from_names(keys_of_names)
    assert built == expected
    assert set(built) == set(expected)
    for key in expected:
        assert list(built.get(key)) == list(expected.get(key))  # type: ignore[arg-type]


def best_by_dict(
    lists: dict[str, list[int]],
    keys: list[str],
    weight: Callable[[int], float],
    common: int,
    n: int,
    prune_above: int,
    share: float,
) -> list[tuple[int, float]]:
    """The screener's cut on the dict loop: pruning below the best, then the n best."""
    found = dict_prescore(lists, keys, weight, common)
    if 0 <= prune_above < len(found):
        cut = max(found.values()) * share * 0.5
        found = {nid: s for nid, s in found.items() if s >= cut}
    return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("seed", range(30))
def test_best_equals_the_dict_loop_and_its_cut(seed: int, compiled: bool) -> None:
    """Both ways (the kernel, numpy) give the dict loop's names and sums, bit for bit."""
    if compiled and postings_module._kernel() is None:
        pytest.skip("the C kernel is not built (make native)")
    rng = random.Random(seed)
    n_names, common = 500, 30
    lists = random_lists(rng, n_names, 60, common)
    # Ties: every list of one length weighs the same, so equal sums are common.
    postings = Postings.from_lists(lists)
    weight = lambda n: math.log(1.0 + n_names / n)  # noqa: E731
    for _ in range(20):
        keys = rng.sample([*lists, "missing-1"], rng.randint(0, 12))
        n = rng.choice((1, 5, 96, 1000))
        prune_above = rng.choice((-1, 0, 10, 200))
        share = rng.choice((0.45, 0.9, 2.0))
        expected = best_by_dict(lists, keys, weight, common, n, prune_above, share)
        got = postings.best(keys, weight, common, n, prune_above, share, compiled=compiled)
        assert got == expected, (keys, n, prune_above, share)


@needs_kernel
def test_kernel_leaves_its_scratch_clean_and_grows_for_a_larger_cut() -> None:
    lists = {"a": [1, 2, 3], "b": [2, 3, 4], "c": list(range(0, 40, 2))}
    postings = Postings.from_lists(lists)
    weight = {3: 2.0, 20: 0.5}.__getitem__
    first = postings.best(["a", "b", "c"], weight, 10, 2)
    assert first == [(2, 4.5), (3, 4.0)]
    totals, seen = postings._local.kernel[0], postings._local.kernel[1]
    assert not totals.any() and not seen.any()
    # Only common keys: the first supplies the names, the others confirm them.
    assert postings.best(["c", "a"], weight, 2, 300)[:3] == [(2, 2.5), (0, 0.5), (4, 0.5)]
    assert len(postings._local.kernel[3]) >= 300 * postings_module._ENTRY_BYTES
    assert postings.best(["missing"], weight, 10, 5) == []
    assert postings.best(["a", "b", "c"], weight, 10, 2) == first
