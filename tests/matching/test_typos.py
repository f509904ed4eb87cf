"""The deletion-key vocabulary behind typo-tolerant retrieval."""

from __future__ import annotations

import pickle
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dprkwatch.matching import typos as typos_module
from dprkwatch.matching.typos import Vocabulary, key_hash

WORDS = {
    "koryo": 40, "korea": 300, "bank": 120, "kwangson": 3, "international": 50,
    "internacional": 2, "chol": 500, "chal": 4, "mun": 60, "il": 200, "sinbad": 1, "ab": 9,
}  # fmt: skip


def deletions(word: str, most: int) -> set[str]:
    out = {word}
    if len(word) >= 3:
        out |= {word[:k] + word[k + 1 :] for k in range(len(word))}
    if most >= 2:
        out |= {
            word[:i] + word[i + 1 : j] + word[j + 1 :] for i, j in combinations(range(len(word)), 2)
        }
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghijklmnoprstuwy", min_size=1, max_size=14), max_size=20))
def test_numpy_keys_are_the_python_keys_of_every_deletion(words: list[str]) -> None:
    vocab = Vocabulary.build({w: 1 for w in words})
    expected = {key_hash(v) for w in set(words) for v in deletions(w, 2 if len(w) >= 9 else 1)}
    assert set(vocab._hashes.tolist()) == expected


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("koryoo", "koryo"),  # a letter doubled
        ("kory", "koryo"),  # one dropped
        ("kroyo", "koryo"),  # two swapped
        ("kwangsom", "kwangson"),  # a neighbouring key
        ("intrenatonal", "international"),  # two slips in a long word
        ("sinbsd", "sinbad"),
    ],
)
def test_near_finds_words_within_the_budget(typed: str, found: str) -> None:
    vocab = Vocabulary.build(WORDS)
    assert found in [w for _d, w in vocab.near(typed)]


def test_near_respects_the_budget_and_ranks_by_distance_then_use() -> None:
    vocab = Vocabulary.build(WORDS)
    assert vocab.near("kwngsn") == []  # two slips in a short word: not the same word
    assert vocab.near("chol") == [(1, "chal")]  # never the word itself
    assert vocab.near("chel")[:2] == [(1, "chol"), (1, "chal")]  # the more used first
    assert vocab.near("international") == [(1, "internacional")]
    # One letter short of the two-slip length: a long word with a letter lost and a slip.
    assert (2, "intenational") not in vocab.near("intentio")
    assert (2, "chonmyong") in Vocabulary.build({"chonmyong": 1}).near("chommyog")
    assert vocab.near("ab") == []  # too short to correct
    assert "bank" in vocab and "bnak" not in vocab and vocab.count("chol") == 500


def test_round_trip_through_plain_data_and_malformed_input() -> None:
    vocab = Vocabulary.build(WORDS)
    again = Vocabulary.from_plain(vocab.to_plain())
    assert again.near("koryoo") == vocab.near("koryoo") and again.counts == vocab.counts
    words, counts, hashes, ids = vocab.to_plain()
    for bad in (None, (words, counts, hashes), (words, counts[:-1], hashes, ids),
                (words, counts, hashes[:-8], ids), (words[:1], counts[:1], hashes, ids)):  # fmt: skip
        with pytest.raises(ValueError):
            Vocabulary.from_plain(bad)


def test_empty_vocabulary() -> None:
    vocab = Vocabulary.build({})
    assert len(vocab) == 0 and vocab.near("koryo") == [] and vocab.keys == 0


needs_extension = pytest.mark.skipif(
    typos_module._extension() is None, reason="the C extension is not built (make native)"
)
LETTERS = "abcdeghijklmnoprstuy019"


@needs_extension
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(alphabet=LETTERS, min_size=1, max_size=26), st.integers(1, 4)),
        min_size=1,
        max_size=60,
    ),
    st.lists(
        st.tuples(
            st.text(alphabet=LETTERS, min_size=0, max_size=27), st.sampled_from([None, 1, 2])
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_the_extension_finds_what_python_finds(
    listed: list[tuple[str, int]], asks: list[tuple[str, int | None]]
) -> None:
    """The C call (keys hashed and searched, distances checked and ordered) equals
    Python's keys, numpy's search and rapidfuzz's distances: every word, distance and
    order (ties of distance and use broken alphabetically), for words of every length
    and budget, listed words with letters dropped, swapped, doubled or replaced
    included."""
    vocab = Vocabulary.build(dict(listed))
    words = [w for w, _n in listed]
    mistyped = (
        [(w[1:] + w[:1], 2) for w in words[:3]]
        + [(w[:-1], None) for w in words[:3]]
        + [(w[:1] + w[2:3] + w[1:2] + w[3:], None) for w in words[:3]]
        + [(w[:2] + w[1:], 1) for w in words[:3]]
        + [(w[:-1] + "x", None) for w in words[:3]]
        + [(w, None) for w in words[:3]]
    )
    for batch in (asks, mistyped, asks + mistyped):
        assert vocab.near_many(batch) == vocab.near_many(batch, compiled=False)


@needs_extension
def test_the_extension_on_the_listed_vocabulary_shape() -> None:
    """Common and rare words, two-edit words of nine letters or more, a word one letter
    short of them, and words that are not looked up (short, long, not ASCII)."""
    vocab = Vocabulary.build(WORDS)
    asks: list[tuple[str, int | None]] = [
        ("koryoo", None), ("chel", 1), ("chongchongang", None), ("chonmyog", None),
        ("ko", None), ("k" * 30, None), ("köryo", None), ("", None), ("myoyhang", 2),
    ]  # fmt: skip
    assert vocab.near_many(asks) == vocab.near_many(asks, compiled=False)


@needs_extension
def test_the_extension_finds_more_words_than_its_first_room() -> None:
    # Every two-letter deletion of a 24-letter word is listed: more words than the
    # extension's first buffer holds (256), each under several keys.
    base = "abcdefghijklmnopqrstuvwx"
    listed = {base[:i] + base[i + 1 : j] + base[j + 1 :]: 1 for i, j in combinations(range(24), 2)}
    vocab = Vocabulary.build(listed)
    found = vocab.near(base, 2)
    assert {w for _d, w in found} == set(listed)
    assert found == vocab.near_many([(base, 2)], compiled=False)[0]


def test_a_pickled_vocabulary_finds_the_same_words_with_its_own_arrays() -> None:
    vocab = Vocabulary.build(WORDS)
    again = pickle.loads(pickle.dumps(vocab))
    assert again.near_many([("koryoo", None), ("chel", 1)]) == vocab.near_many(
        [("koryoo", None), ("chel", 1)]
    )
    # The kernel reads the arrays at the addresses taken when it was made.
    assert again._addresses == (int(again._hashes.ctypes.data), int(again._ids.ctypes.data))
    assert again._addresses != vocab._addresses and again.memo == {}
