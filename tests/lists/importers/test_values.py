"""Value helpers: partial dates, year ranges, checked adds, and identifiers found in free text."""

from __future__ import annotations

from pathlib import Path

import pytest

from dprkwatch.lists.importers import freetext
from dprkwatch.lists.importers.values import (
    date_from_parts,
    iso_date,
    join_parts,
    put,
    year_range,
)
from dprkwatch.lists.model import EntityBuilder


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1964-07-17", "1964-07-17"),
        ("2005-01-01-05:00", "2005-01-01"),
        ("2026-02-27T00:00:09.554Z", "2026-02-27"),
        ("1975", "1975"),
        ("15/01/1970", "1970-01-15"),
        ("00/00/1968", "1968"),
        ("00/05/1968", "1968-05"),
        ("22 February 1958", "1958-02-22"),
        ("02-Oct-2026", "2026-10-02"),
        ("31/13/1970", None),
        ("circa 1975", None),
        ("", None),
        (None, None),
    ],
)
def test_iso_date(raw: str | None, expected: str | None) -> None:
    assert iso_date(raw) == expected


def test_date_from_parts() -> None:
    assert date_from_parts("1972", "3") == "1972-03"
    assert date_from_parts(1991, 2, 25) == "1991-02-25"
    assert date_from_parts("1972", "x", "1") == "1972"
    assert date_from_parts(None) is None


def test_year_range() -> None:
    assert year_range("1967", "1969") == ["1967", "1968", "1969"]
    assert year_range("1969", "1967") == ["1967", "1968", "1969"]
    # An implausibly wide range keeps only its ends.
    assert year_range("1900", "1990") == ["1900", "1990"]
    assert year_range("1970", None) == ["1970"]


def test_join_parts_skips_empty_and_repeated() -> None:
    assert (
        join_parts(["Pyongyang", " ", None, "PYONGYANG", "North Korea"]) == "Pyongyang, North Korea"
    )
    assert join_parts([None, ""]) is None


def test_put_warns_when_ftm_drops_a_value() -> None:
    b = EntityBuilder("un", "test", [Path("x.xml")])
    person = b.subject("KPi.1", "Person")
    assert put(b, person, "nationality", "Democratic People's Republic of Korea")
    assert not put(b, person, "nationality", "Freedonia")
    assert person.get("nationality") == ["kp"]
    assert b.version.warnings == ["un-KPi.1: nationality 'Freedonia' not understood, dropped"]
    # A property the schema lacks is kept in notes, not lost.
    assert put(b, person, "imoNumber", "1234567")
    assert person.get("notes") == ["imoNumber: 1234567"]
    # Spellings FtM does not know but the UK list uses.
    assert put(b, person, "country", "Congo (Democratic Republic)")
    assert person.get("country") == ["cd"]


def test_imo_numbers_only_right_after_a_label() -> None:
    assert freetext.imo_numbers("Registered owner. IMO number: 5571322.") == ["5571322"]
    assert freetext.imo_numbers("International Maritime Organization (IMO) Number: 1790183.") == [
        "1790183"
    ]
    assert freetext.imo_numbers("Company Number IMO 5434358.") == ["5434358"]
    assert freetext.imo_numbers("vessel AVAX (IMO 9058713) was listed") == ["9058713"]
    listing = "operator of the following vessels with IMO Number: (a) Chol Ryong 8606173, (b) Mi Rim 8713471"
    assert freetext.imo_numbers(listing) == []


def test_swift_wallet_gender_dob_passport() -> None:
    text = (
        "SWIFT/BIC: KDBKKPPY. Digital Currency Address: XBT 3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1 "
        "(2) ETH: 0x7FF9cFad3877F21d41Da833E2F775dB0569eE3D9. Gender: Female. New AKA: Jang Hyon U "
        "with date of birth 22 February 1958 and diplomatic passport number 836110034."
    )
    assert freetext.swift_codes(text) == ["KDBKKPPY"]
    assert freetext.wallets(text) == [
        ("XBT", "3Lpoy53K625zVeE47ZasiG5jGkAxJ27kh1"),
        ("ETH", "0x7FF9cFad3877F21d41Da833E2F775dB0569eE3D9"),
    ]
    assert freetext.gender(text) == "female"
    assert freetext.birth_dates(text) == ["1958-02-22"]
    assert freetext.passport_numbers(text) == ["836110034"]
    assert freetext.wallets("ETH: notanaddressatallbutlongenoughtomatch") == []
