"""The word alignment in C (``features/name_align.c``) gives the Python's pairs, bit for bit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dprkwatch.matching import features as F
from dprkwatch.matching.analysis import NameForm, analyze_name
from dprkwatch.matching.features import words

KERNEL = words.ALIGN_KERNEL
needs_kernel = pytest.mark.skipif(
    KERNEL is None, reason="name_align.c is not built here, or compiled code is off"
)

# Words of the lists' kinds: Korean syllables, Arabic and Russian names, company words.
BASE = (
    "kim", "jong", "un", "chol", "song", "ri", "pak", "choe", "jang", "hui", "hyon", "kwang",
    "il", "ryong", "sok", "nam", "gung", "mohammed", "muhammad", "abdul", "rahman", "al", "bin",
    "hamid", "fazl", "rabi", "noureddine", "belkassem", "arkadiy", "arkadii", "sergey", "sergei",
    "vladimir", "putin", "economics", "dawnlight", "korea", "bank", "trading", "corporation",
    "shipping", "myohyang", "koryo", "namgang", "chonmasan", "ltd", "2002", "7",
)  # fmt: skip
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbour(ch: str, pick: int) -> str:
    near = [y for y in "".join(_ROWS) if words.adjacent_keys(ch, y)]
    return near[pick % len(near)] if near else ch


@st.composite
def slipped(draw: st.DrawFn) -> str:
    """A listed-looking word, often with one or two slips (the rules' every branch)."""
    word = draw(st.sampled_from(BASE))
    for _ in range(draw(st.integers(0, 2))):
        if len(word) < 2:
            break
        i = draw(st.integers(1, len(word) - 1))
        kind = draw(st.integers(0, 6))
        if kind == 0:
            word = word[:i] + word[i + 1 :]  # a letter lost
        elif kind == 1:
            word = word[:i] + word[i] + word[i:]  # a letter doubled
        elif kind == 2 and i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two swapped
        elif kind == 3:
            word = word[:i] + _neighbour(word[i], draw(st.integers(0, 9))) + word[i + 1 :]
        elif kind == 4:
            word = word[:i] + draw(st.sampled_from("aeiouyjkh")) + word[i:]  # a letter added
        elif kind == 5:
            word = word[:1]  # an initial
        else:
            word = word + draw(st.sampled_from(("iy", "ii", "y", "i", "j", "yi", "ij")))
    return word


def _align_both(q: NameForm, c: NameForm) -> tuple[object, object]:
    assert KERNEL is not None
    exact = q.script == "Hani" or c.script == "Hani"
    got = KERNEL(q.tokens, c.tokens, q.phonetic, c.phonetic, q.token_keys, c.token_keys, exact)
    return got, words._align(q, c)


def _same(got: object, want: list[tuple[float, int, int]]) -> None:
    assert got == want
    assert isinstance(got, list)
    for x, y in zip(got, want, strict=True):
        assert [type(v) for v in x] == [type(v) for v in y]


@needs_kernel
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(slipped(), min_size=1, max_size=5),
    st.lists(slipped(), min_size=1, max_size=5),
    st.sampled_from(("person", "org", "any")),
)
def test_analysed_names_align_alike(q_words: list[str], c_words: list[str], group: str) -> None:
    for q in analyze_name(" ".join(q_words), group):
        for c in analyze_name(" ".join(c_words), group):
            got, want = _align_both(q, c)
            _same(got, want)


def _form(tokens: tuple[str, ...], phonetic: tuple[str, ...], keys: tuple[str, ...]) -> NameForm:
    return NameForm(
        text=" ".join(tokens), script="Latn", tokens=tokens, joined="".join(tokens), korean=(),
        token_keys=keys, phonetic=phonetic, skeleton="", abjad=False, acronyms=frozenset(),
        numbers=(), korean_joined="",
    )  # fmt: skip


@needs_kernel
@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.tuples(slipped(), st.sampled_from(("", "K", "KM")), st.sampled_from(("", "a", "b"))),
        min_size=1,
        max_size=4,
    ),
    st.lists(
        st.tuples(slipped(), st.sampled_from(("", "K", "KM")), st.sampled_from(("", "a", "b"))),
        min_size=1,
        max_size=4,
    ),
)
def test_sound_and_korean_keys_align_alike(
    q_words: list[tuple[str, str, str]], c_words: list[tuple[str, str, str]]
) -> None:
    """Phonetic codes and Korean keys that agree by chance: every branch that reads them."""
    q = _form(*(tuple(x) for x in zip(*q_words, strict=True)))
    c = _form(*(tuple(x) for x in zip(*c_words, strict=True)))
    got, want = _align_both(q, c)
    _same(got, want)


@needs_kernel
@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("ECONOMSI", "ECONOMICS"),  # beyond the alignment, within the true distance
        ("DAWJLIHGT", "DAWNLIGHT"),  # two likely slips
        ("Arkadiy Ivanov", "Arkadii Ivanov"),  # a Russian ending
        ("Kim Uun", "Kim Un"),  # a short word's slip
        ("V. Putin", "Vladimir Putin"),  # an initial
        ("Unit 2002", "Unit 2003"),  # numbers
        ("Kim Jong Un", "Kim Jong Un"),  # the same words
        ("Mohamed Ali", "Muhammad Ali"),  # the same sound
        ("Kwangson Bank", "Gwangseon Bank"),  # Korean keys
        ("JSNG Chol", "JANG Song Chol"),
        ("Sancho", "Sanchez"),
    ],
)
def test_known_cases_align_alike(query: str, listed: str) -> None:
    for group in ("person", "org"):
        for q in analyze_name(query, group):
            for c in analyze_name(listed, group):
                got, want = _align_both(q, c)
                _same(got, want)


@needs_kernel
def test_names_in_chinese_characters_allow_no_slips() -> None:
    q = analyze_name("金正恩", "person")
    c = analyze_name("Kim Jong Un", "person")
    for a in q:
        for b in c:
            got, want = _align_both(a, b)
            _same(got, want)


@needs_kernel
def test_words_it_does_not_read_are_left_to_the_python() -> None:
    assert KERNEL is not None
    one = ("a",)
    assert KERNEL(("kim", "jöng"), ("kim",), ("K", "J"), ("K",), ("", ""), ("",), False) is None
    assert KERNEL(("",), ("kim",), ("",), ("K",), ("",), ("",), False) is None
    assert KERNEL(("x" * 65,), one, ("",), ("",), ("",), ("",), False) is None
    assert KERNEL(("kim",), ("kim",), ("K",), (), ("",), ("",), False) is None
    # name_tokens then aligns them in Python: the same feature as without the kernel.
    q = _form(("kim", "jöng"), ("K", "J"), ("", ""))
    c = _form(("kim", "jong"), ("K", "J"), ("", ""))
    weights = F.Weights(lambda _w: 5.0, lambda _s: 5.0, lambda _w: False)
    # kim = kim (1.0), jöng and jong one letter apart (0.75), equally weighted
    assert words.name_tokens(q, c, weights).value == 0.875


def test_compiled_code_off_means_no_kernel() -> None:
    env = {**os.environ, "DPRKWATCH_COMPILED": "0"}
    code = "from dprkwatch.matching.features import words; print(words.ALIGN_KERNEL is None)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "True"


class _Table(dict[str, float]):
    """Word weights with a weight for words never seen, as the index's are."""

    def __missing__(self, key: str) -> float:
        return 7.5


# Uneven weights, so every sum's order and every substitution shows.
TABLE = _Table({w: 0.5 + (7 * k % 11) / 3 for k, w in enumerate(BASE)})
LISTED = frozenset(BASE[::2])
PLAIN = F.Weights(TABLE.__getitem__, TABLE.__getitem__, lambda w: w not in LISTED)
TABLES = F.Weights(PLAIN.token, PLAIN.syllable, PLAIN.unknown, (TABLE, LISTED, None))
# The same, with the weight of a word not in the table given as a number.
UNSEEN = F.Weights(PLAIN.token, PLAIN.syllable, PLAIN.unknown, (TABLE, LISTED, 7.5))


@pytest.mark.skipif(words.WEIGH_KERNEL is None, reason="name_align.c is not built here")
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(slipped(), min_size=1, max_size=6),
    st.lists(slipped(), min_size=1, max_size=6),
    st.sampled_from(("person", "org")),
    st.booleans(),
)
def test_the_sums_in_c_are_the_pythons(
    q_words: list[str], c_words: list[str], group: str, strict: bool
) -> None:
    """name_tokens with the weights' mappings (summed in C) equals it with the lookups alone."""
    for q in analyze_name(" ".join(q_words), group):
        for c in analyze_name(" ".join(c_words), group):
            options = {"strict": strict, "person": group == "person", "replaced": 1.0}
            want = F.name_tokens(q, c, PLAIN, **options)
            assert F.name_tokens(q, c, TABLES, **options) == want
            assert F.name_tokens(q, c, UNSEEN, **options) == want


@pytest.mark.skipif(words.WEIGH_KERNEL is None, reason="name_align.c is not built here")
def test_the_sums_of_pairs_it_does_not_read_are_left_to_the_python() -> None:
    weigh = words.WEIGH_KERNEL
    assert weigh is not None
    assert weigh(("a",), ("a",), [(1.0, 0, 0)], {"a": 1}, LISTED, None) is None  # not a float
    assert weigh(("a",), ("a",), [(1.0, 0, 0)], {"a": 1}, LISTED, 7.5) is None
    assert weigh(("a",), ("a",), [(1.0, 0, 5)], TABLE, LISTED, None) is None  # no such word
    assert weigh(("a",), ("a",), [(1.0, 0, 0)], TABLE, LISTED, None) == (15.0, 15.0, 1, 0.0, 0.0)


@pytest.mark.skipif(words.WEIGH_KERNEL is None, reason="name_align.c is not built here")
def test_the_weight_of_a_word_not_in_the_table_given_as_a_number() -> None:
    weigh = words.WEIGH_KERNEL
    assert weigh is not None
    pairs = [(1.0, 0, 0), (0.75, 1, 1)]
    q, c = ("a", "zzq"), ("a", "zzr")  # in neither table: 7.5 each
    looked_up = weigh(q, c, pairs, TABLE, LISTED, None)
    assert looked_up == (15.0 * 1.0 + 15.0 * 0.75, 30.0, 1, 0.0, 0.0)
    assert weigh(q, c, pairs, TABLE, LISTED, 7.5) == looked_up
    # The number is what the table's __missing__ gives, whatever the table says.
    assert weigh(q, c, pairs, TABLE, LISTED, 1.0) == (2.0 + 0.75 * 2.0, 4.0, 1, 0.0, 0.0)
    # Not a dict, or no number: the table's own lookup.
    assert weigh(q, c, pairs, TABLE, LISTED, 1) == looked_up
