"""Text clean-up, identifiers and the organisation lexicon."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dprkwatch.matching.analysis import analyze_name
from dprkwatch.matching.features import is_slip, token_similarity
from dprkwatch.matching.features.words import SLIP, two_likely_slips
from dprkwatch.matching.identifiers import (
    document_number,
    imo_checksum_ok,
    imo_number,
    mmsi_number,
    wallet_address,
)
from dprkwatch.matching.orgs import (
    acronyms,
    collapse_letters,
    misspelt_legal_word,
    normalize_org_tokens,
    number_words,
    segment_hangul_org,
    split_glued_form,
)
from dprkwatch.matching.text import abjad_ascii, ascii_tokens, skeleton, strip_controls, to_ascii


def test_strip_controls() -> None:
    assert strip_controls("  Ri\tSu\nYong  ") == "Ri Su Yong"
    assert strip_controls("Kim\x00\x07 Jong\u200b Un\ufeff") == "Kim Jong Un"
    assert strip_controls("a\u200cb") == "a\u200cb", "ZWNJ is part of Persian spelling"
    assert strip_controls("Cafe\u0301") == "Café", "NFC"


@pytest.mark.parametrize(
    ("word", "ascii"),
    [
        ("Путин", "putin"),
        ("Шевченко", "shevchenko"),
        ("Müller", "muller"),
        ("Łukasz", "lukasz"),
        ("Σωκράτης", "sokratis"),
    ],
)
def test_to_ascii(word: str, ascii: str) -> None:
    assert to_ascii(word) == ascii


def test_tokens_keep_mccune_reischauer_apostrophes_inside_words() -> None:
    assert ascii_tokens("Ch'o'l") == ["chol"]
    assert ascii_tokens("Jong-un") == ["jong", "un"]


def test_abjad_outline_meets_latin() -> None:
    arabic = "".join(skeleton(a) for a in (abjad_ascii("محمد"), abjad_ascii("علي")) if a)
    latin = "".join(skeleton(t) for t in ("mohamed", "ali"))
    assert arabic == latin == "mhmdl"
    assert abjad_ascii("Kim") is None


def test_imo_numbers() -> None:
    assert imo_number("IMO 8660313") == "8660313"
    assert imo_checksum_ok("8660313")
    assert not imo_checksum_ok("8660314")
    assert imo_number("12345") is None
    assert mmsi_number("445 999 000") == "445999000"
    assert mmsi_number("44599900") is None


def test_documents_and_wallets() -> None:
    assert document_number("PS 472-330-208") == "PS472330208"
    assert document_number("AB") is None
    assert document_number("ABCDEF") is None, "needs a digit"
    evm = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
    assert wallet_address(evm) == evm.lower()
    assert (
        wallet_address("BC1QXY2KGDYGJRSQTZQ2N0YRF2493P83KKFJHX0WLH")
        == "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"
    )
    legacy = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
    assert wallet_address(legacy) == legacy, "base58 is case-sensitive"
    assert wallet_address("not a wallet") is None


def test_org_lexicon() -> None:
    assert normalize_org_tokens(["chosun", "kwangson", "banking", "corp"]) == [
        "korea",
        "kwangson",
        "bank",
        "<legal>",
    ]
    assert normalize_org_tokens(["democratic", "people", "s", "republic", "of", "korea"]) == [
        "korea"
    ]
    assert normalize_org_tokens(["open", "joint", "stock", "company", "gazprom"]) == [
        "<legal>",
        "gazprom",
    ]
    assert number_words(["brigade", "forty", "four"]) == ["brigade", "44"]
    assert collapse_letters(["a", "b", "c", "company"]) == ["abc", "company"]
    assert "kkbc" in acronyms(["korea", "kwangson", "banking", "corporation"])
    assert segment_hangul_org("조선릉라도무역총회사") == [
        "korea",
        "rungrato",
        "trade",
        "general",
        "<legal>",
    ]
    assert segment_hangul_org("김정은") is None


@pytest.mark.parametrize(
    ("word", "misspelt"),
    [
        ("aktiengeselschaft", True),  # two slips in a German compound of 18 letters
        ("limted", True),
        ("compnay", True),  # two letters swapped: one slip
        ("corporaton", True),
        ("limited", False),  # the form itself is no misspelling
        ("cooperation", False),  # two slips from corporation: a word of the name
        ("compass", False),
        ("kimited", False),  # the first letter must agree
    ],
)
def test_misspelt_legal_words(word: str, misspelt: bool) -> None:
    assert misspelt_legal_word(word) is misspelt


def test_legal_forms_with_slips_are_dropped_like_the_forms() -> None:
    assert normalize_org_tokens(["siemens", "aktiengeselschaft"]) == ["siemens", "<legal>"]
    assert normalize_org_tokens(["bayer", "limted"]) == ["bayer", "<legal>"]


@pytest.mark.parametrize(
    ("word", "split"),
    [
        ("SiemensAG", ("Siemens", "AG")),
        ("AcmeGmbH", ("Acme", "GmbH")),
        ("FooBarLLC", ("FooBar", "LLC")),
        ("SIEMENSAG", None),  # no case change: nothing says where the form begins
        ("Verlag", None),
        ("Zinc", None),
        ("Lisa", None),
    ],
)
def test_legal_forms_glued_in_camel_case(word: str, split: tuple[str, str] | None) -> None:
    assert split_glued_form(word) == split


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("Präsident Barack Obama", ("barack", "obama")),
        ("President Barack Obama", ("barack", "obama")),
        ("Nicolás Maduro LLC", ("nicolas", "maduro")),
        ("Herr Olaf Scholz", ("olaf", "scholz")),
        ("Kim Co Sa", ("kim", "co", "sa")),  # short forms that are syllables stay
    ],
)
def test_titles_and_legal_forms_are_no_part_of_a_persons_name(
    name: str, tokens: tuple[str, ...]
) -> None:
    assert analyze_name(name, "person")[0].tokens == tokens


def test_a_glued_legal_form_is_read_apart_in_company_names_only() -> None:
    assert analyze_name("SiemensAG", "org")[0].tokens == ("siemens",)
    assert analyze_name("SiemensAG", "person")[0].tokens == ("siemensag",)


@pytest.mark.parametrize(
    ("a", "b", "slip"),
    [
        ("kag", "kang", True),
        ("yogn", "yong", True),
        ("chol", "cjol", True),
        ("sok", "son", False),
        ("kim", "kim", False),
    ],
)
def test_keyboard_slips(a: str, b: str, slip: bool) -> None:
    assert is_slip(a, b) is slip


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("janng", "jang"),  # a letter doubled
        ("yogn", "yong"),  # two neighbours swapped
        ("chil", "chol"),  # i struck for its neighbour o: also another name
        ("pae", "paek"),  # a letter lost may be another name
        ("kima", "kim"),  # a letter added far from its neighbour
        ("bankp", "bank"),  # a letter added far from its neighbours
    ],
)
def test_one_slip_in_a_short_word_costs_a_slip(typed: str, listed: str) -> None:
    assert token_similarity(typed, listed, "", "", "", "") == SLIP


def test_two_likely_slips_in_a_long_word_cost_one_letter() -> None:
    # A neighbouring key (J for N) and two letters swapped (HG) in nine letters.
    assert two_likely_slips("dawjlihgt", "dawnlight")
    assert token_similarity("dawjlihgt", "dawnlight", "", "", "", "") == pytest.approx(1 - 1 / 9)
    # A lost E and a distant key (W for N) are two full slips.
    assert not two_likely_slips("bluworoff", "bluenoroff")
    assert token_similarity("bluworoff", "bluenoroff", "", "", "", "") < 1 - 1 / 10
    # Slips on the first letter are not credited.
    assert not two_likely_slips("sawjlight", "dawnlight")


def test_a_letter_lost_between_two_swapped_ones_is_two_slips() -> None:
    # ECONOMSI: I and S swapped and C lost between them (three edits for an
    # alignment that edits each letter once, within the budget of two here).
    assert token_similarity("economsi", "economics", "", "", "", "") == pytest.approx(1 - 2 / 9)
    # Short words keep a budget of one slip.
    assert token_similarity("chlo", "chiol", "", "", "", "") == 0.0


def test_token_similarity_budget() -> None:
    assert token_similarity("sancho", "sanchez", "", "", "", "") == 0.0
    assert token_similarity("scholze", "scholz", "", "", "", "") >= 0.8
    assert token_similarity("v", "vladimir", "", "", "", "") == 0.8
    assert token_similarity("peng", "ping", "", "", "", "", exact=True) == 0.0


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("arkadiy", "arkadii", True),
        ("arkady", "arkadii", True),
        ("sergey", "sergej", True),
        ("dmitriy", "dmitri", True),
        ("maria", "marie", False),
        ("arkadiy", "arkadov", False),
    ],
)
def test_spellings_of_the_russian_ending_ii_are_one_word(a: str, b: str, same: bool) -> None:
    value = token_similarity(a, b, "", "", "", "")
    assert (value >= 0.92) is same


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aeiouybcdkhpfmnst\n-'0é", max_size=20))
def test_the_skeleton_collapses_repeats_as_the_regular_expression_did(token: str) -> None:
    """The loop that collapses repeated letters gives what re.sub(r"(.)\\1+", r"\\1", ...)
    gave (a line break, which "." does not match, is never collapsed)."""
    vowels_dropped = re.sub(r"[aeiouy]+", "", token.replace("kh", "k").replace("ph", "f"))
    assert skeleton(token) == re.sub(r"(.)\1+", r"\1", vowels_dropped)
