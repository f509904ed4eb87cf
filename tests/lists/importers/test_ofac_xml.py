"""OFAC's two XML formats: the same entities from either, structured fields, real files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.ofac.advanced import OfacAdvancedXmlImporter
from dprkwatch.lists.importers.ofac.enhanced import OfacEnhancedXmlImporter
from dprkwatch.lists.importers.ofac.xml_record import Period, full_name
from dprkwatch.lists.importing import parse
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.registry import detect
from dprkwatch.lists.snapshot import count_version
from tests.conftest import FIXTURES, SHARED_DATA

ENHANCED = FIXTURES / "lists" / "ofac_sdn_enhanced_sample.xml"
ADVANCED = FIXTURES / "lists" / "ofac_sdn_advanced_sample.xml"


@pytest.fixture(scope="module")
def enhanced() -> ListVersion:
    return OfacEnhancedXmlImporter().load(ENHANCED)


def test_detected_by_content(tmp_path: Path) -> None:
    for source, fmt in ((ENHANCED, "ofac-enhanced-xml"), (ADVANCED, "ofac-advanced-xml")):
        copy = tmp_path / f"{fmt}.bin"
        copy.write_bytes(source.read_bytes())
        assert detect(copy).format == fmt


def test_both_formats_give_the_same_entities(enhanced: ListVersion) -> None:
    advanced = OfacAdvancedXmlImporter().load(ADVANCED)
    assert {k: e.to_dict() for k, e in advanced.entities.items()} == {
        k: e.to_dict() for k, e in enhanced.entities.items()
    }
    assert [n.to_row() for n in advanced.names] == [n.to_row() for n in enhanced.names]
    assert (advanced.list_name, advanced.source, advanced.published) == (
        enhanced.list_name,
        enhanced.source,
        enhanced.published,
    )


def test_list_source_and_date_come_from_the_file(enhanced: ListVersion) -> None:
    assert (enhanced.list_name, enhanced.source, str(enhanced.published)) == (
        "ofac",
        "ofac-sdn",
        "2026-08-14",
    )
    # parse() keeps the source the importer read from the file.
    version, _ = parse(ENHANCED)
    assert version.source == "ofac-sdn"
    counts = count_version(enhanced)
    assert counts["dprk"] == 3 and counts["wallets"] == 1


def test_structured_fields_the_legacy_csv_has_only_as_text(enhanced: ListVersion) -> None:
    person = enhanced.entities["ofac-90101"]
    assert person.get("birthDate") == ["1970-01-15"]
    assert person.get("nationality") == ["kp"]
    assert person.get("passportNumber") == ["836110001"]
    assert person.get("gender") == ["male"]
    assert person.get("birthCountry") == ["kp"]
    names = {
        n.value: (n.kind, n.lang, n.quality) for n in enhanced.names if n.entity_id == "ofac-90101"
    }
    assert names == {
        "RYANG, Song Chol": ("primary", None, None),
        "량성철": ("alias", "ko", None),
        "RYANG, Mr.": ("weak", None, "low"),
    }
    sanction = enhanced.entities["ofac-90101-sanction"]
    # The date the party was published on the SDN list: the legacy CSV has no dates at all.
    assert sanction.get("listingDate") == ["2017-06-01"]
    assert "Legal authority: Executive Order 13722" in sanction.get("provisions")

    vessel = enhanced.entities["ofac-90103"]
    assert vessel.get("imoNumber") == ["9123453"]
    assert vessel.get("mmsi") == ["667001234"]
    assert (vessel.get("flag"), vessel.get("pastFlags")) == (["sl"], ["pa"])
    assert (vessel.get("type"), vessel.get("tonnage"), vessel.get("callSign")) == (
        ["Oil Tanker"],
        ["2384"],
        ["9LT42"],
    )
    link = enhanced.entities["ofac-90103-link-1"]
    assert (link.get("object"), link.get("role")) == (["ofac-90102"], ["Owned or Controlled By"])

    wallet = enhanced.entities["ofac-90102-wallet-1"]
    assert (wallet.get("publicKey"), wallet.get("currency")) == (
        ["1TestAddressForDprkwatchFixture000"],
        ["XBT"],
    )
    company = enhanced.entities["ofac-90102"]
    assert company.get("previousName") == ["TEST MARINE TRADING CORPORATION"]
    assert any(
        p.startswith("Secondary sanctions risk:")
        for p in enhanced.entities["ofac-90102-sanction"].get("provisions")
    )


def test_periods() -> None:
    assert Period("1962-01-01", "1962-12-31").values() == ["1962"]
    assert Period("1962-05-01", "1962-05-31").values() == ["1962-05"]
    assert Period("1970-01-15", "1970-01-15").values() == ["1970-01-15"]
    assert Period("1960-01-01", "1962-12-31", is_range=True).values() == ["1960", "1961", "1962"]
    assert Period("1960-03-04", "1960-04-04", approximate=True).values() == ["1960"]


def test_full_names() -> None:
    assert full_name([("Last Name", "HANIYA"), ("First Name", "Ismail")]) == "HANIYA, Ismail"
    assert full_name([("Entity Name", "VTB BANK")]) == "VTB BANK"
    assert full_name([]) is None


def test_unknown_advanced_namespace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sdn_advanced.xml"
    path.write_text(
        ADVANCED.read_text("utf-8").replace("http://www.un.org/sanctions/1.0", "urn:example:v9"),
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as info:
        OfacAdvancedXmlImporter().load(path)
    assert info.value.problem == "unknown OFAC advanced XML namespace 'urn:example:v9'"


def test_truncated_enhanced_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "SDN_ENHANCED.XML"
    data = ENHANCED.read_bytes()
    path.write_bytes(data[: data.index(b'<entity id="90103">') + 200])
    with pytest.raises(SourceError) as info:
        OfacEnhancedXmlImporter().load(path)
    assert (
        "truncated or incomplete XML: the file ends inside a <entity> after 2 complete records"
        in str(info.value)
    )


# -- real data ---------------------------------------------------------------


def _real(relative: str) -> Path:
    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    return SHARED_DATA / "ofac" / relative


@pytest.mark.shared_data
def test_real_cons_enhanced() -> None:
    version = OfacEnhancedXmlImporter().load(_real("cons_enhanced_2025-01-10/CONS_ENHANCED.XML"))
    counts = count_version(version)
    # The data folder's SOURCES.md: 443 entities (363 entity, 80 individual), ids 9639-50476, 0 DPRK.
    assert (version.list_name, version.source, str(version.published)) == (
        "ofac_cons",
        "ofac-cons",
        "2025-01-10",
    )
    assert counts["by_schema"] == {"Organization": 363, "Person": 80}
    assert counts["dprk"] == 0
    ids = sorted(int(e.id.split("-")[1]) for e in version.subjects() if e.id)
    assert (ids[0], ids[-1]) == (9639, 50476)
    lists = Counter(
        name
        for e in version.entities.values()
        if e.schema.name == "Sanction"
        for name in e.get("program")
    )
    # SSI 286, NS-PLC 78, SDN 77, NS-CMIC 68, NS-MBS 12, CAPTA 1, FSE 1 (by list name).
    assert lists["Sectoral Sanctions Identifications List"] == 286
    assert lists["Non-SDN Palestinian Legislative Council List"] == 78
    assert lists["SDN List"] == 77
    assert lists["Consolidated List"] == 443
    haniya = version.entities["ofac-9639"]
    assert haniya.get("birthDate") == ["1962"]
    assert version.entities["ofac-9639-sanction"].get("listingDate") == ["2006-04-12"]


@pytest.mark.shared_data
def test_real_cons_advanced() -> None:
    version = OfacAdvancedXmlImporter().load(_real("cons_advanced_2020-03-17/cons_advanced.xml"))
    counts = count_version(version)
    # SOURCES.md: 375 DistinctParty (293 entity, 82 individual), 759 SanctionsEntry.
    assert (version.list_name, str(version.published)) == ("ofac_cons", "2020-03-17")
    assert counts["by_schema"] == {"Organization": 293, "Person": 82}
    assert counts["by_program"] == {
        "UKRAINE-EO13662": 290,
        "NS-PLC": 78,
        "SYRIA": 6,
        "FSE-SY": 5,
        "VENEZUELA-EO13850": 2,
        "SDGT": 1,
        "561-Related": 1,
        "FSE-IR": 1,
    }
    entries = sum(
        len(e.get("program")) for e in version.entities.values() if e.schema.name == "Sanction"
    )
    assert entries == 759
    assert counts["dprk"] == 0
