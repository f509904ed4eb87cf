"""Organisation names: the country a name places an organisation in."""

from __future__ import annotations

import pytest
from rigour.territories.territory import get_index

from dprkwatch.matching import Query, Screener
from dprkwatch.matching.analysis import analyze_name
from dprkwatch.matching.orgs import COUNTRY_WORDS, different_countries
from dprkwatch.matching.text import ascii_tokens


def test_country_words_are_rigours_countries() -> None:
    expected: dict[str, str] = {}
    for territory in get_index().values():
        if territory.is_country and not territory.is_historical:
            for name in (territory.name, territory.full_name):
                tokens = ascii_tokens(name)
                if len(tokens) <= 3:
                    expected.setdefault("".join(tokens), territory.code)
    assert expected == COUNTRY_WORDS


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("Bowne Global Solutions (Spain), S.L.", "spain"),  # a bracketed aside
        ("Bowne Global Solutions II (U.K.) Limited", "uk"),
        ("Banco Santander Chile S.A.", "chile"),  # the last word before the legal form
        ("Trade Bank of Iraq", "iraq"),
        ("KOREA KWANGSON BANKING CORP", ""),  # Korea names the company, not a branch
        ("Chile", ""),  # nothing else left: the country itself
        ("Sakhalin Shipping Company LLC", ""),
    ],
)
def test_jurisdiction(name: str, place: str) -> None:
    assert analyze_name(name, "org")[0].jurisdiction == place


@pytest.mark.parametrize(
    "name",
    [
        "IRANIAN OIL COMPANY (U.K.) LIMITED",  # a country
        "IRANIAN OIL COMPANY (BVI)",
        "IRANIAN OIL COMPANY (PJSC)",  # a legal form
        "IRANIAN OIL COMPANY (S.A.)",
    ],
)
def test_a_bracketed_country_or_legal_form_is_no_name_of_its_own(name: str) -> None:
    forms = analyze_name(name, "org")
    assert [f.tokens for f in forms] == [("iranian", "oil")]


def test_the_bracketed_acronym_is_still_a_name() -> None:
    forms = analyze_name("Korea National Insurance Corporation (KNIC)", "org")
    assert ("knic",) in [f.tokens for f in forms]


def test_different_countries() -> None:
    assert different_countries("spain", "netherlands")
    assert not different_countries("uk", "unitedkingdom")
    # Close enough to be a slip: a typo must keep its match.
    assert not different_countries("chile", "china")


def _compare(screener: Screener, query: str, listed: str) -> tuple[float, bool, str]:
    entity = {"id": "x", "schema": "Company", "properties": {"name": [listed]}}
    m = screener.compare(Query("Company", {"name": [query]}), entity)
    return m.score, m.match, " ".join(m.explanation)


def test_sister_companies_in_other_countries_do_not_match(screener: Screener) -> None:
    score, matched, why = _compare(
        screener,
        "Bowne Global Solutions (Spain), S.L.",
        "Bowne Global Solutions (Netherlands), B.V.",
    )
    assert not matched, why
    assert "country in the name 'spain' vs listed 'netherlands'" in why
    same, matched_same, why_same = _compare(
        screener,
        "Bowne Global Solutions (Netherlands)",
        "Bowne Global Solutions (Netherlands), B.V.",
    )
    assert matched_same and same > score, why_same


def test_companies_sharing_only_a_bracketed_country_do_not_match(screener: Screener) -> None:
    _score, matched, why = _compare(
        screener,
        "IRANIAN OIL COMPANY (U.K.) LIMITED",
        "PETROCHEMICAL COMMERCIAL COMPANY (U.K.) LIMITED",
    )
    assert not matched, why


def test_a_country_on_one_side_only_says_nothing(screener: Screener) -> None:
    _score, _matched, why = _compare(screener, "Bank Melli Iran", "Bank Melli")
    assert "country in the name" not in why


def test_ofac_abbreviations_meet_the_words_written_out(screener: Screener) -> None:
    # OFAC lists SHANGHAI DONGFENG SHPG CO LTD; the EU and the UK write SHIPPING.
    score, matched, why = _compare(
        screener, "SHANGHAI DONGFENG SHIPPING CO LTD", "SHANGHAI DONGFENG SHPG CO LTD"
    )
    assert matched and score > 0.95, why
    for query, listed in (
        ("KOREA MARINE AND INDUSTRIAL TRADING", "KOREA MARINE AND INDUSTRIAL TRDG"),
        ("OIL TANKERS SCF MANAGEMENT FZCO", "OIL TANKERS SCF MGMT FZCO"),
    ):
        written, matched, why = _compare(screener, query, listed)
        assert matched and written > 0.95, why
    # Another word in the abbreviation's place is still another word.
    other, matched, why = _compare(
        screener, "SHANGHAI DONGFENG TRADING CO LTD", "SHANGHAI DONGFENG SHPG CO LTD"
    )
    assert other < score, why
