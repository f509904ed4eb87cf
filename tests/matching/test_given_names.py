"""Readings of a person's first given name: glued initials and short forms."""

from __future__ import annotations

import pytest

from dprkwatch.matching import Query, Screener
from dprkwatch.matching.given_names import NICKNAMES, initials_reading, nickname_readings
from dprkwatch.matching.korean_names import surname_groups
from dprkwatch.matching.syllables import parse_word


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("JC Juncker", "J C Juncker"),
        ("JFK Kennedy", "J F K Kennedy"),
        ("Juncker, JC", "Juncker, J C"),
        ("J.C. Juncker", None),  # already spaced by the dots
        ("Jo Ryong Chol", None),  # a vowel: a syllable, not initials
        ("Ng Chin Keong", None),  # a family name in small letters
        ("NG Chin Keong", "N G Chin Keong"),  # read, but the name as written still counts
        ("JC", None),  # no word left to carry the name
    ],
)
def test_glued_initials_are_spaced(name: str, reading: str | None) -> None:
    assert initials_reading(name) == reading


@pytest.mark.parametrize(
    ("name", "readings"),
    [
        ("Ben Netanyahu", ("Benjamin Netanyahu", "Benedict Netanyahu")),
        ("NETANYAHU, Ben", ("NETANYAHU, Benjamin", "NETANYAHU, Benedict")),
        ("Bill Clinton", ("William Clinton",)),
        ("Clinton Bill", ()),  # not the first given name
        ("Bill", ()),  # one word
        ("Joe Yon Chon", ()),  # Joe is a spelling of the Korean family name Jo
        ("Kim Jong Un", ()),
    ],
)
def test_short_given_names_are_read_in_full(name: str, readings: tuple[str, ...]) -> None:
    assert nickname_readings(name) == readings


def test_no_short_form_spells_a_korean_family_name() -> None:
    # A Korean name begins with the family name: reading it as a short given
    # name would only cost time (and JOE Yon Chon is JO Yon Chon).
    for short in NICKNAMES:
        for parse in parse_word(short):
            assert not (len(parse) == 1 and surname_groups(parse[0])), short


def _compare(screener: Screener, query: str, listed: str) -> tuple[float, bool, str]:
    entity = {"id": "x", "schema": "Person", "properties": {"name": [listed]}}
    m = screener.compare(Query("Person", {"name": [query]}), entity)
    return m.score, m.match, " ".join(m.explanation)


def test_a_short_given_name_finds_the_full_one_below_the_full_name(screener: Screener) -> None:
    short, matched, why = _compare(screener, "Ben Netanyahu", "Benjamin Netanyahu")
    full, _, _ = _compare(screener, "Benjamin Netanyahu", "Benjamin Netanyahu")
    assert matched, why
    assert "short given name in full" in why
    assert short < full


def test_glued_initials_find_the_given_names(screener: Screener) -> None:
    score, matched, why = _compare(screener, "JC Juncker", "Jean-Claude Juncker")
    assert matched, why
    assert "initials spaced" in why
    spelled, _, _ = _compare(screener, "Jean-Claude Juncker", "Jean-Claude Juncker")
    assert score < spelled


def test_initials_need_the_surname(screener: Screener) -> None:
    # The initials alone stand for any given names: another surname is another person.
    _score, matched, why = _compare(screener, "JC Jenkins", "Jean-Claude Juncker")
    assert not matched, why


def test_readings_are_for_people_only(screener: Screener) -> None:
    entity = {"id": "x", "schema": "Company", "properties": {"name": ["Jin Chol Trading"]}}
    m = screener.compare(Query("Company", {"name": ["JC Trading"]}), entity)
    assert "initials spaced" not in " ".join(m.explanation)
