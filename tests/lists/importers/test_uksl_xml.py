"""UK Sanctions List XML, on a fixture written by hand to the FCDO's layout (no real file here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.uk.csv_lists import UkslCsvImporter
from dprkwatch.lists.importers.uk.record import designation_source
from dprkwatch.lists.importers.uk.uksl_xml import UkslXmlImporter
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.registry import detect
from dprkwatch.lists.snapshot import count_version
from tests.conftest import FIXTURES

XML = FIXTURES / "lists" / "uk_sanctions_list_sample.xml"
CSV = FIXTURES / "lists" / "uk_sanctions_list_sample.csv"


@pytest.fixture(scope="module")
def version() -> ListVersion:
    return UkslXmlImporter().load(XML)


def test_detected_by_content(tmp_path: Path) -> None:
    copy = tmp_path / "download.bin"
    copy.write_bytes(XML.read_bytes())
    assert detect(copy).format == "uksl-xml"


def test_counts_and_publication_date(version: ListVersion) -> None:
    counts = count_version(version)
    assert str(version.published) == "2026-08-22"
    assert counts["by_schema"] == {"Organization": 2, "Person": 1, "Vessel": 1}
    assert counts["dprk"] == 3
    assert counts["dprk_by_schema"] == {"Organization": 1, "Person": 1, "Vessel": 1}
    assert version.warnings == []


def test_xml_and_csv_agree(version: ListVersion) -> None:
    from_csv = UkslCsvImporter().load(CSV)
    for key in ("uk-DPR9001", "uk-DPR9001-sanction", "uk-DPR9004", "uk-DPR9004-sanction"):
        assert version.entities[key].to_dict() == from_csv.entities[key].to_dict(), key
    for entity_id in ("uk-DPR9001", "uk-DPR9004"):
        assert [n.to_row() for n in version.names if n.entity_id == entity_id] == [
            n.to_row() for n in from_csv.names if n.entity_id == entity_id
        ]


def test_person_names_and_source(version: ListVersion) -> None:
    names = {
        n.value: (n.kind, n.lang, n.quality) for n in version.names if n.entity_id == "uk-DPR9001"
    }
    assert names == {
        "RYANG SONG CHOL": ("primary", None, None),
        "Mr. RYANG": ("weak", None, "low"),
        "량성철": ("alias", "ko", None),
    }
    person = version.entities["uk-DPR9001"]
    assert person.get("birthDate") == ["1970-01-15"]
    assert person.get("passportNumber") == ["836110001"]
    sanction = version.entities["uk-DPR9001-sanction"]
    assert designation_source(sanction) == "UN"
    assert sanction.get("unscId") == ["KPi.901"]
    assert sorted(sanction.get("provisions")) == ["Asset freeze", "Travel Ban"]
    assert designation_source(version.entities["uk-DPR9004-sanction"]) == "UK"


def test_ship_fields(version: ListVersion) -> None:
    ship = version.entities["uk-DPR9010"]
    assert ship.schema.name == "Vessel"
    assert ship.get("imoNumber") == ["9123453"]
    assert ship.get("flag") == ["sl"]
    assert ship.get("pastFlags") == ["pa", "tg"]
    assert ship.get("type") == ["Oil tanker"]
    assert ship.get("tonnage") == ["2384"]
    assert ship.get("buildDate") == ["1996"]
    assert ship.get("alias") == ["OCEAN EXAMPLE 7"]
    assert "Owner: Example Ship Management Ltd" in ship.get("notes")
    sanction = version.entities["uk-DPR9010-sanction"]
    assert sanction.get("listingDate") == ["2018-03-28"]
    assert sorted(sanction.get("provisions")) == ["Deflag", "Prohibition of port entry"]


def _error(tmp_path: Path, text: str) -> SourceError:
    path = tmp_path / "UK-Sanctions-List.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        UkslXmlImporter().load(path)
    assert "\n" not in str(info.value)
    assert info.value.source in (str(path), path.name)
    return info.value


@pytest.mark.parametrize(
    ("root", "declared"),
    [
        ('<Designations xmlns="urn:fcdo:uksl:v2">', "namespace 'urn:fcdo:uksl:v2'"),
        ('<Designations schemaVersion="2.0">', "schemaVersion='2.0'"),
    ],
)
def test_unknown_schema_version_is_refused(tmp_path: Path, root: str, declared: str) -> None:
    text = XML.read_text("utf-8")
    start = text.index("<Designations ")
    end = text.index(">", start) + 1
    err = _error(tmp_path, text[:start] + root + text[end:])
    assert err.problem.startswith(
        f"unknown UK Sanctions List schema: <Designations> declares {declared}"
    )


def test_retired_ofsi_xml_is_refused(tmp_path: Path) -> None:
    err = _error(
        tmp_path,
        '<?xml version="1.0"?>\n<ArrayOfFinancialSanctionsTarget><FinancialSanctionsTarget>'
        "<GroupID>1</GroupID></FinancialSanctionsTarget></ArrayOfFinancialSanctionsTarget>\n",
    )
    assert err.problem == (
        "this is the retired OFSI Consolidated List XML (<ArrayOfFinancialSanctionsTarget>), "
        "not the UK Sanctions List"
    )


def test_repeated_unique_id_is_an_error(tmp_path: Path) -> None:
    err = _error(tmp_path, XML.read_text("utf-8").replace("DPR9004", "DPR9001"))
    assert err.problem == "duplicate record id 'DPR9001'"


def test_designation_without_unique_id(tmp_path: Path) -> None:
    err = _error(tmp_path, XML.read_text("utf-8").replace("<UniqueID>DPR9004</UniqueID>", ""))
    assert err.problem == "designation without UniqueID"
    assert err.where is not None and err.where.startswith("line ")


def test_unknown_elements_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "uksl.xml"
    path.write_text(
        XML.read_text("utf-8").replace(
            "<Genders>", "<EyeColours><EyeColour>brown</EyeColour></EyeColours><Genders>"
        ),
        encoding="utf-8",
    )
    version = UkslXmlImporter().load(path)
    assert "element <IndividualDetails/Individual/EyeColours> not handled (1 records)" in (
        version.warnings
    )
