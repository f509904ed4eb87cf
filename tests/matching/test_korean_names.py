"""Reading Korean personal names: syllables, surnames, order, hanja."""

from __future__ import annotations

import pytest

from dprkwatch.matching.analysis import analyze_name
from dprkwatch.matching.hangul import keyboard_slips
from dprkwatch.matching.hanja import read_hanja
from dprkwatch.matching.korean_names import SURNAMES, korean_forms, surname_groups
from dprkwatch.matching.syllables import parse_word


def coarse(word: str) -> list[list[str]]:
    return [[s.coarse for s in p] for p in parse_word(word)]


@pytest.mark.parametrize(
    "group",
    [
        ["Ri", "Rhee", "Lee", "Yi", "I", "Li"],
        ["Pak", "Park", "Bak"],
        ["Choe", "Choi", "Chwe"],
        ["Jong", "Jeong", "Chong", "Jung", "Chung"],
        ["Un", "Eun"],
        ["Chol", "Cheol", "Chul"],
        ["Kwangson", "Gwangseon"],
        ["Chonmasan", "Cheonmasan", "chon-ma-san"],
        # French spellings (the UK's Tcheul Hy Djang, alias Chol-hy Jang)
        ["Chol", "Tcheul"],
        ["Hui", "Hi", "Hy"],
    ],
)
def test_spellings_fold_to_one_key(group: list[str]) -> None:
    keys = {tuple(coarse(w)[0]) for w in group}
    assert len(keys) == 1, {w: coarse(w) for w in group}


def test_joined_given_names_keep_every_reading() -> None:
    assert sorted(coarse("Jongun")) == [["CoN", "KoN"], ["CoNG", "_oN"]]
    assert coarse("Jong-un") == [["CoNG", "_oN"]]


@pytest.mark.parametrize(
    "word",
    # A y that is no glide is a Korean vowel only after an h of its own (Hy).
    ["Smith", "Vladimir", "Fox", "Schwarz", "Zhang", "x1", "", "Tyson", "Mary", "Kathy", "Taywan"],
)
def test_non_korean_words_do_not_parse(word: str) -> None:
    assert parse_word(word) == ()


def test_surname_list_has_the_north_korean_forms() -> None:
    for surname in "리류로렴라":
        assert surname in SURNAMES
    assert surname_groups(parse_word("Lee")[0][0]) == surname_groups(parse_word("Ri")[0][0])
    assert surname_groups(parse_word("Yun")[0][0]).isdisjoint(
        surname_groups(parse_word("Yon")[0][0])
    )


def forms(*words: str, comma: int | None = None, context: bool = False) -> list[tuple[str, str]]:
    return [(k.surname_coarse, k.given_coarse) for k in korean_forms(words, comma, context)]


def test_surname_first_last_and_after_a_comma() -> None:
    expected = ("_i", "So_yoNG")
    assert expected in forms("Ri", "Su", "Yong")
    assert expected in forms("Su", "Yong", "Ri")
    assert expected in forms("Su-yong", "Ri")
    assert forms("RI", "Su", "Yong", comma=0) == [expected]
    assert forms("리수용") == [expected]


def test_compound_and_hangul_surnames() -> None:
    [(surname, given)] = forms("남궁민수")
    assert len(surname) > 3 and given  # 남궁 + 민수
    assert forms("김정은") == [("KiM", "CoNG_oN")]


def test_a_name_without_a_surname_needs_context() -> None:
    assert forms("Kwang", "Chol") == []
    assert forms("Kwang", "Chol", context=True) == [("", "KwaNGCoL")]


def test_hanja_names_are_read_in_korean() -> None:
    assert read_hanja("金正恩") == "김정은"
    assert read_hanja("金日成") == "김일성"
    assert read_hanja("习近平") is None
    pinyin, korean = analyze_name("金正恩", "person")
    assert pinyin.tokens == ("jin", "zheng", "en")
    assert korean.reading == "Kim Jong Un" and korean.script == "Hani"


def test_mixed_scripts_in_one_name() -> None:
    [form] = analyze_name("Kim 정은", "person")
    assert [(k.surname_coarse, k.given_coarse) for k in form.korean] == [("KiM", "CoNG_oN")]


def test_a_hangul_surname_one_key_beside() -> None:
    # 촤 is no surname; on the two-set keyboard ㅘ is ㅗ then ㅏ, ㅚ ㅗ then ㅣ,
    # and ㅏ (K) and ㅣ (L) are neighbouring keys: 최, Choe.
    assert "최" in keyboard_slips("촤")
    assert forms("촤찬일") == [("", "CwaCaN_iL"), ("Cwe", "CaN_iL")]
    assert forms("촤", "찬일") == [("", "CwaCaN_iL"), ("Cwe", "CaN_iL")]
    [_plain, slip] = korean_forms(("촤찬일",))
    assert slip.reading == "Choe Chan Il (촤 as 최)"
    # A syllable that is a surname keeps its one reading.
    assert forms("최찬일") == [("Cwe", "CaN_iL")]
    assert forms("김찬일") == [("KiM", "CaN_iL")]
    # A first word that is more than a surname keeps its reading (and the
    # surname read there is never read through the keyboard again).
    assert forms("촤찬", "일") == [("", "CwaCaN_iL")]
    # Latin names are not read through the Korean keyboard.
    assert forms("Chwa", "Chan", "Il") == []


def test_keyboard_slips_are_one_key_beside() -> None:
    # ㄱ is on R: beside it E (ㄷ), T (ㅅ), D (ㅇ), F (ㄹ) and the 4 row's keys
    # are no jamo; ㅣ is on L: beside it K (ㅏ), O (ㅐ), P (ㅔ).
    assert set(keyboard_slips("기")) == {"디", "시", "이", "리", "가", "개", "게"}
    assert all(s != "기" for s in keyboard_slips("기"))
