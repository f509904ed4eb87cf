"""Hangul decomposition, romanization systems and the keys both scripts share."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dprkwatch.matching.hangul import (
    HANGUL_BASE,
    HANGUL_LAST,
    compose,
    decompose,
    read_name,
    romanizations,
    romanize_syllable,
    syllable_keys,
    western_spellings,
)
from dprkwatch.matching.syllables import parse_word


def test_decompose_and_compose_are_inverse() -> None:
    assert decompose("한") == (18, 0, 4)
    assert compose(18, 0, 4) == "한"
    for cp in range(HANGUL_BASE, HANGUL_LAST + 1, 97):
        ch = chr(cp)
        assert compose(*decompose(ch)) == ch
    with pytest.raises(ValueError, match="not a Hangul syllable"):
        decompose("A")


@pytest.mark.parametrize(
    ("syllable", "mr", "dprk", "rr"),
    [
        ("정", "chong", "jong", "jeong"),
        ("은", "un", "un", "eun"),
        ("리", "ri", "ri", "ri"),
        ("최", "ch'oe".replace("'", ""), "choe", "choe"),
        ("철", "ch'ol".replace("'", ""), "chol", "cheol"),
        ("광", "kwang", "kwang", "gwang"),
        ("시", "shi", "si", "si"),
        ("혁", "hyok", "hyok", "hyeok"),
        ("박", "pak", "pak", "bak"),
    ],
)
def test_romanization_systems(syllable: str, mr: str, dprk: str, rr: str) -> None:
    assert romanize_syllable(syllable, "mr") == mr
    assert romanize_syllable(syllable, "dprk") == dprk
    assert romanize_syllable(syllable, "rr") == rr


def test_diacritics_are_kept_on_request() -> None:
    assert romanize_syllable("정", "mr", ascii_only=False) == "chŏng"
    assert romanize_syllable("은", "dprk", ascii_only=False) == "ŭn"
    with pytest.raises(ValueError, match="unknown romanization system"):
        romanize_syllable("정", "yale")


def test_western_spellings_cover_common_usage() -> None:
    assert {"jung", "chung", "jeong"} <= set(western_spellings("정"))
    assert "soo" in western_spellings("수")
    assert "eun" in western_spellings("은")
    assert "hee" in western_spellings("희")
    assert set(romanizations("김")) == {"mr", "dprk", "rr", "western"}


def test_every_syllable_reads_back_from_every_system() -> None:
    """All 11,172 syllables: each system's spelling parses to the syllable's own keys."""
    bad = []
    for cp in range(HANGUL_BASE, HANGUL_LAST + 1):
        ch = chr(cp)
        coarse = syllable_keys(ch)[1]
        for system, spellings in romanizations(ch).items():
            for spelling in spellings:
                parses = parse_word(spelling)
                if not any(len(p) == 1 and coarse == p[0].coarse for p in parses):
                    bad.append((ch, system, spelling))
    assert bad == []


def test_north_and_south_korean_forms_share_a_coarse_key() -> None:
    for north, south in [
        ("리", "이"),
        ("류", "유"),
        ("로", "노"),
        ("렴", "염"),
        ("라", "나"),
        ("량", "양"),
    ]:
        assert syllable_keys(north)[1] == syllable_keys(south)[1], (north, south)
        assert syllable_keys(north)[0] != syllable_keys(south)[0]


def test_read_name() -> None:
    assert read_name("리수용") == "Ri Su Yong"
    assert read_name("김정은") == "Kim Jong Un"
    assert read_name("이수용") == "Yi Su Yong"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=HANGUL_BASE, max_value=HANGUL_LAST), min_size=1, max_size=3))
def test_spelled_words_parse_to_the_same_syllables(codepoints: list[int]) -> None:
    """A word written in any system, hyphenated per syllable, parses back exactly."""
    syllables = [chr(c) for c in codepoints]
    keys = [syllable_keys(s)[1] for s in syllables]
    for system in ("mr", "dprk", "rr"):
        word = "-".join(romanize_syllable(s, system) for s in syllables)
        parses = parse_word(word)
        assert any([syl.coarse for syl in p] == keys for p in parses), (word, parses)
