"""The evaluation's linking of one subject across lists (benchmarks/same_subject.py).

A result is labelled right when it is the queried subject on any list; the
name keys alone missed OFAC's respellings of UN entries (BOUYAHIA for
BOUYEHIA, AL-TAI for AL-TA'I), so 8 true matches counted as non-matches
scoring 0.99.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from same_subject import SameSubject, close_names, identifier, links


class Lists:
    """The two things the linking reads from a screener: its records and their data."""

    def __init__(self, entities: dict[str, dict[str, Any]]) -> None:
        self.entities = entities
        self.index = SimpleNamespace(records=[SimpleNamespace(id=eid) for eid in entities])

    def get(self, eid: str) -> dict[str, Any]:
        return self.entities[eid]


def person(**props: list[str]) -> dict[str, Any]:
    return {"schema": "Person", "properties": props}


def pairs(entities: dict[str, dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(x.a, x.b, x.rule) for x in links(Lists(entities))}  # type: ignore[arg-type]


def test_a_respelling_with_the_same_birth_date_is_one_person() -> None:
    found = pairs(
        {
            "un-1": person(
                name=["HAMADI BEN ABDUL AZIZ BEN ALI BOUYEHIA"], birthDate=["1966-05-29"]
            ),
            "ofac-1": person(
                name=["BOUYAHIA, Hamadi Ben Abdul Aziz Ben Ali"],
                birthDate=["1966-05-22", "1966-05-29"],
            ),
            "un-2": person(name=["SULTAN HASHIM AHMAD AL-TA'I"], birthDate=["1944"]),
            "ofac-2": person(name=["AL-TAI, Sultan Hashim Ahmad"], birthDate=["1944"]),
        }
    )
    assert found == {("ofac-1", "un-1", "birth date"), ("ofac-2", "un-2", "birth date")}


def test_another_given_name_or_another_date_is_not() -> None:
    found = pairs(
        {
            # Brothers, both listed as born in 1970.
            "eu-1": person(name=["Yasir Sabawi Ibrahim Hasan Al-Tikriti"], birthDate=["1970"]),
            "un-1": person(name=["OMAR SABAWI IBRAHIM HASAN AL-TIKRITI"], birthDate=["1970"]),
            # The same name, born on another day.
            "eu-2": person(name=["Habib Ben Ahmed Al-Loubiri"], birthDate=["1961-11-17"]),
            "ofac-2": person(name=["LOUBIRI, Habib Ben Ahmed"], birthDate=["1961-11-18"]),
            # Names in Cyrillic only: nothing to compare, however equal the dates.
            "eu-3": person(name=["Галина ДАНИЛЬЧЕНКО"], birthDate=["1964"]),
            "eu-4": person(name=["Олег БУГРОВ"], birthDate=["1964"]),
        }
    )
    assert found == set()


def test_a_shared_identifier_links_with_a_name_or_birth_date_beside_it() -> None:
    found = pairs(
        {
            # The same passport number, spaced differently, and a close name.
            "eu-1": person(name=["Habib Ben Ahmed Al-Loubiri"], passportNumber=["M788439"]),
            "ofac-1": person(name=["LOUBIRI, Habib Ben Ahmed"], passportNumber=["M 788439"]),
            # The same passport and birth date under another name (an alias).
            "eu-2": person(
                name=["Nikolay Dmitrievich CHOULZ"],
                birthDate=["1990-02-03"],
                passportNumber=["721123760"],
            ),
            "ofac-2": person(
                name=["PESKOV, Nikolay"], birthDate=["1990-02-03"], passportNumber=["721123760"]
            ),
            # One ID number, two people born years apart.
            "eu-3": person(
                name=["Waseem AL-KATTAN"], birthDate=["1976-06-20"], idNumber=["10090110187"]
            ),
            "eu-4": person(
                name=["Nasser Deeb DEEB"], birthDate=["1974-02-21"], idNumber=["10090110187"]
            ),
            # Too short to trust.
            "eu-5": person(name=["Ali Hassan"], passportNumber=["12345"]),
            "eu-6": person(name=["Omar Farouk"], passportNumber=["12345"]),
            # Companies: the registration number alone.
            "eu-7": {
                "schema": "Company",
                "properties": {"name": ["VTB Bank"], "registrationNumber": ["1027739609391"]},
            },
            "ofac-7": {
                "schema": "Company",
                "properties": {
                    "name": ["VTB BANK PUBLIC JOINT STOCK COMPANY"],
                    "registrationNumber": ["1027739609391"],
                },
            },
        }
    )
    assert found == {
        ("eu-1", "ofac-1", "identifier"),
        ("eu-2", "ofac-2", "identifier"),
        ("eu-7", "ofac-7", "identifier"),
    }


def test_widening_adds_the_linked_records_and_the_name_key_ones() -> None:
    same = SameSubject(
        Lists(  # type: ignore[arg-type]
            {
                "un-1": person(name=["HABIB BEN AHMED AL-LOUBIRI"], birthDate=["1961-11-17"]),
                "uk-1": person(name=["HABIB BEN AHMED AL-LOUBIRI"]),
                "ofac-1": person(name=["LOUBIRI, Habib Ben Ahmed"], birthDate=["1961-11-17"]),
                "ofac-2": person(name=["LOUBIRI, Habib"], birthDate=["1970-01-01"]),
            }
        )
    )
    assert same.widen(frozenset({"un-1"})) == {"un-1", "uk-1", "ofac-1"}
    # Only what the name keys did not link already is listed as new.
    assert [(x.a, x.b) for x in same.new_links()] == [("ofac-1", "un-1")]


def test_identifiers_and_close_names() -> None:
    assert identifier("M 788439") == "M788439"
    assert identifier("PS-472 330 208") == "PS472330208"
    assert identifier("AB123") is None and identifier("ABCDEFG1") is None
    ratio, _a, _b = close_names(["Sa'd Abd-al-Majid Al-Faisal"], ["SA'D ABD-AL-MAJID AL-FAISAL"])
    assert ratio == 100
    assert close_names(["Mohammad Essa Akhund"], ["MOHAMMAD HASSAN AKHUND"])[0] == 0


def test_ofac_abbreviations_meet_the_words_written_out() -> None:
    company = "Organization"
    same = SameSubject(
        Lists(  # type: ignore[arg-type]
            {
                "eu-1": {
                    "schema": company,
                    "properties": {"name": ["SHANGHAI DONGFENG SHIPPING CO LTD"]},
                },
                "ofac-1": {
                    "schema": company,
                    "properties": {"name": ["SHANGHAI DONGFENG SHPG CO LTD"]},
                },
                "ofac-2": {"schema": company, "properties": {"name": ["SHANGHAI DONGFENG CO LTD"]}},
            }
        )
    )
    assert same.widen(frozenset({"eu-1"})) == {"eu-1", "ofac-1"}


def test_a_listed_acronym_names_the_body_inside_a_parents_name() -> None:
    body = "Organization"
    found = pairs(
        {
            "eu-1": {
                "schema": body,
                "properties": {"name": ["PROPAGANDA AND AGITATION DEPARTMENT (PAD)"]},
            },
            "ofac-1": {
                "schema": body,
                "properties": {
                    "name": ["KOREAN WORKERS PARTY, PROPAGANDA AND AGITATION DEPARTMENT"]
                },
            },
            # No acronym of its own words: a part after a comma says nothing.
            "eu-2": {"schema": body, "properties": {"name": ["CIMEX (CX)"]}},
            "ofac-2": {"schema": body, "properties": {"name": ["CIMEX, S.A."]}},
            "eu-3": {"schema": body, "properties": {"name": ["MUNITIONS INDUSTRY DEPARTMENT"]}},
            "ofac-3": {
                "schema": body,
                "properties": {"name": ["KOREAN WORKERS PARTY, MUNITIONS INDUSTRY DEPARTMENT"]},
            },
        }
    )
    assert found == {("eu-1", "ofac-1", "acronym")}
