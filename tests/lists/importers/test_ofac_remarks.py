"""The OFAC Remarks grammar, item by item (table-driven), plus dates and identifiers."""

from __future__ import annotations

import pytest

from dprkwatch.lists.importers.ofac.dates import parse_dates
from dprkwatch.lists.importers.ofac.ids import classify, imo_check_ok, split_label
from dprkwatch.lists.importers.ofac.remarks import (
    Remarks,
    kind_of,
    parse_item,
    parse_remarks,
    split_items,
)

# (item, expected props) - one row per kind of item a screener relies on.
PROP_CASES: list[tuple[str, list[tuple[str, str]]]] = [
    ("DOB 15 Jun 1962", [("birthDate", "1962-06-15")]),
    ("DOB Jun 1962", [("birthDate", "1962-06")]),
    ("DOB 1962", [("birthDate", "1962")]),
    ("DOB circa 1955", [("birthDate", "1955")]),
    ("DOB circa 01 Jan 1955", [("birthDate", "1955")]),
    ("DOB 1955 to 1958", [("birthDate", y) for y in ("1955", "1956", "1957", "1958")]),
    ("DOB 01 Jan 1958 to 31 Dec 1959", [("birthDate", "1958"), ("birthDate", "1959")]),
    ("DOB circa 1960-1961", [("birthDate", "1960"), ("birthDate", "1961")]),
    ("alt. DOB 02 Feb 1970.", [("birthDate", "1970-02-02")]),
    ("POB Pyongyang, Korea, North", [("birthPlace", "Pyongyang, Korea, North")]),
    ("nationality Korea, North", [("nationality", "Korea, North")]),
    ("nationality possibly Palestinian", [("nationality", "Palestinian")]),
    ("Nationality of Registration Korea, North", [("jurisdiction", "Korea, North")]),
    ("citizen Russia", [("citizenship", "Russia")]),
    ("Gender Male", [("gender", "male")]),
    ("Gender Female.", [("gender", "female")]),
    ("Passport 745110188 (Korea, North) expires 07 Jan 2020", [("passportNumber", "745110188")]),
    ("alt. Passport PS 472330208 (Korea, North)", [("passportNumber", "PS 472330208")]),
    ("Diplomatic Passport 008827 (Iran) issued 1999", [("passportNumber", "008827")]),
    ("National ID No. 216040 (Yemen)", [("idNumber", "216040")]),
    ("Identification Number 2.194.575 (Paraguay)", [("idNumber", "2.194.575")]),
    ("Cedula No. V-8348784 (Venezuela).", [("idNumber", "V-8348784")]),
    ("Electoral Registry No. 07385114 (Afghanistan)", [("idNumber", "07385114")]),
    ("Tax ID No. 100036386 (Serbia)", [("taxNumber", "100036386")]),
    ("R.F.C. DIB-771110-HQ1 (Mexico)", [("taxNumber", "DIB-771110-HQ1")]),
    ("Registration Number 26740 (Iran)", [("registrationNumber", "26740")]),
    ("Registration Number HRB 14604 (Germany)", [("registrationNumber", "HRB 14604")]),
    (
        "Unified Social Credit Code (USCC) 9113100033607322XK (China)",
        [("registrationNumber", "9113100033607322XK")],
    ),
    ("Company Number 01074897 (United Kingdom).", [("registrationNumber", "01074897")]),
    ("SWIFT/BIC HAVIGB2L", [("swiftBic", "HAVIGB2L")]),
    ("Vessel Registration Identification IMO 8514306", [("imoNumber", "IMO8514306")]),
    ("Identification Number IMO 5342883.", [("imoNumber", "IMO5342883")]),
    ("Company Number IMO 5055293", [("imoNumber", "IMO5055293")]),
    ("International Maritime Organization No. (5777731)", [("imoNumber", "IMO5777731")]),
    ("Vessel Registration Identification 8606173", [("imoNumber", "IMO8606173")]),
    ("Vessel Registration Identification 8606174", [("registrationNumber", "8606174")]),
    ("MMSI 445123000", [("mmsi", "445123000")]),
    ("Vessel Year of Build 1999", [("buildDate", "1999")]),
    ("alt. Former Vessel Flag Tanzania", [("pastFlags", "Tanzania")]),
    ("Other Vessel Call Sign 5IM713", [("callSign", "5IM713")]),
    ("Aircraft Model IL-76TD", [("model", "IL-76TD")]),
    ("Aircraft Manufacturer's Serial Number (MSN) 1023409321", [("serialNumber", "1023409321")]),
    ("Aircraft Tail Number RA-76842", [("registrationNumber", "RA-76842")]),
    ("Aircraft Manufacture Date Sep 1984", [("buildDate", "1984-09")]),
    ("Email Address info@example.com", [("email", "info@example.com")]),
    ("Website www.example.com", [("website", "www.example.com")]),
    ("Organization Established Date 1969.", [("incorporationDate", "1969")]),
    (
        "Organization Type: Activities of holding companies",
        [("sector", "Activities of holding companies")],
    ),
]


@pytest.mark.parametrize(("item", "expected"), PROP_CASES, ids=[c[0] for c in PROP_CASES])
def test_item_props(item: str, expected: list[tuple[str, str]]) -> None:
    r = Remarks()
    parse_item(item, r)
    assert r.props == expected
    assert r.unparsed == [] and r.problems == []


NAME_CASES: list[tuple[str, tuple[str, str]]] = [
    ("a.k.a. 'BNC'.", ("weak", "BNC")),
    ("f.k.a. 'ANA I'", ("former", "ANA I")),
    ("n.k.a. 'NEW NAME LLC'", ("weak", "NEW NAME LLC")),
    ("a.k.a. 'ABU 'ABD AL-'AZIZ'", ("weak", "ABU 'ABD AL-'AZIZ")),
    ("a.k.a. 'ABU AL-WAFA''", ("weak", "ABU AL-WAFA'")),
]


@pytest.mark.parametrize(("item", "expected"), NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_item_names(item: str, expected: tuple[str, str]) -> None:
    r = Remarks()
    parse_item(item, r)
    assert r.names == [expected]
    assert r.props == []


@pytest.mark.parametrize(
    ("item", "field", "expected"),
    [
        ("Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", "wallets",
         [("XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")]),
        ("alt. Digital Currency Address - usdt TXyz123", "wallets", [("USDT", "TXyz123")]),
        ("Linked To: LAZARUS GROUP.", "links", ["LAZARUS GROUP"]),
        ("Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210",
         "provisions",
         ["Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210"]),
        ("Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions: "
         "North Korea Sanctions Regulations section 510.214", "provisions",
         ["Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions: "
          "North Korea Sanctions Regulations section 510.214"]),
        ("Additional Sanctions Information - Subject to Secondary Sanctions", "provisions",
         ["Additional Sanctions Information - Subject to Secondary Sanctions"]),
        ("Member of the State Duma of the Federal Assembly", "unparsed", ["Member of the"]),
        ("Phone Number 982188526300", "unparsed", []),
    ],
)  # fmt: skip
def test_item_other_fields(item: str, field: str, expected: list[object]) -> None:
    r = Remarks()
    parse_item(item, r)
    assert getattr(r, field) == expected


def test_unreadable_date_is_a_problem_not_a_value() -> None:
    r = Remarks()
    parse_item("DOB sometime in 1960s", r)
    assert r.props == []
    assert r.problems == ["unreadable date in 'DOB sometime in'"]


def test_split_keeps_semicolons_inside_quoted_aliases() -> None:
    items, unclosed = split_items("a.k.a. 'EOS; PYONGYANG BRANCH'; DOB 1962; a.k.a. 'O'NEIL'.")
    assert items == ["a.k.a. 'EOS; PYONGYANG BRANCH'", "DOB 1962", "a.k.a. 'O'NEIL'."]
    assert not unclosed


def test_split_reports_an_unclosed_alias() -> None:
    items, unclosed = split_items("DOB 1962; a.k.a. 'WHOIS HACKIN")
    assert items[-1] == "a.k.a. 'WHOIS HACKIN" and unclosed


def test_whole_remarks() -> None:
    r = parse_remarks(
        "DOB 15 Jun 1962; POB Pyongyang, Korea, North; a.k.a. 'KIM; THE ELDER'; "
        "Digital Currency Address - ETH 0xabc; Linked To: EXAMPLE CO., LTD."
    )
    assert ("birthDate", "1962-06-15") in r.props
    assert r.names == [("weak", "KIM; THE ELDER")]
    assert r.wallets == [("ETH", "0xabc")]
    assert r.links == ["EXAMPLE CO., LTD"]
    assert r.truncated_item is None


def test_truncated_remarks_drop_only_the_cut_item() -> None:
    text = "DOB 1962; Digital Currency Address - XBT 1AbC; alt. Digital Currency Address - XBT 1Gq"
    r = parse_remarks(text, truncated=True)
    assert r.wallets == [("XBT", "1AbC")]
    assert r.truncated_item == "alt. Digital Currency Address - XBT 1Gq"
    # The same text, not known to be cut, is read whole.
    assert len(parse_remarks(text).wallets) == 2
    # A cut right after a separator leaves the last item whole; after a dot it may not.
    assert parse_remarks(text + ";", truncated=True).truncated_item is None
    cut = parse_remarks(
        "DOB 1962; Transactions Prohibited For Persons Owned or Controlled By U.S. ", truncated=True
    )
    assert cut.truncated_item is not None and cut.provisions == []


def test_unclosed_alias_is_never_added_as_a_name() -> None:
    r = parse_remarks("a.k.a. 'HIDDEN COBRA'; a.k.a. 'WHOIS HACKIN")
    assert r.names == [("weak", "HIDDEN COBRA")]
    assert r.truncated_item == "a.k.a. 'WHOIS HACKIN"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 Jun 1962", ["1962-06-15"]),
        ("12 September 1993", ["1993-09-12"]),
        ("Jun 1962", ["1962-06"]),
        ("approximately 1950", ["1950"]),
        ("between 1950 and 1951", ["1950", "1951"]),
        ("01 Jun 1960 to 30 Jun 1960", ["1960-06"]),
        ("1960 to 1960", ["1960"]),
        ("31 Feb 1960", None),
        ("1960 to 1950", None),
        ("1900 to 1990", None),
        ("15 Foo 1962", None),
        ("soon", None),
    ],
)
def test_dates(text: str, expected: list[str] | None) -> None:
    assert parse_dates(text) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("Tax ID No. AABA 670850 Y", ("Tax ID No.", "AABA 670850 Y")),
        (
            "National ID No. CNIC: 35202-5400413-9 (Pakistan)",
            ("National ID No. CNIC:", "35202-5400413-9 (Pakistan)"),
        ),
        ("Identification Number IMO 5342883", ("Identification Number IMO", "5342883")),
        ("Gender Male", None),
        ("12345", None),
    ],
)
def test_split_label(item: str, expected: tuple[str, str] | None) -> None:
    assert split_label(item) == expected


def test_not_identifiers() -> None:
    assert classify("Telephone No. 009613679153") is None
    assert classify("President since 1979") is None
    ident = classify("Business Registration Document # F01000003035 (United States)")
    assert ident is not None and (ident.prop, ident.value) == ("registrationNumber", "F01000003035")


def test_imo_check_digit() -> None:
    assert imo_check_ok("9123453") and imo_check_ok("IMO 8514306")
    assert not imo_check_ok("9123454") and not imo_check_ok("912345")


def test_kind_of() -> None:
    assert kind_of("alt. Member of the State Duma 7") == "Member of the"
    assert kind_of("12345") == "(number only)"
