"""UN consolidated list XML: field mapping on a hand-written sample, and the real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from followthemoney import ValueEntity

from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.lists.importers.un.consolidated_xml import UnXmlImporter
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.registry import detect
from dprkwatch.lists.snapshot import count_version
from dprkwatch.settings import Settings
from tests.conftest import FIXTURES
from tests.factory import run_cli

SAMPLE = FIXTURES / "lists" / "un_sample.xml"


@pytest.fixture(scope="module")
def sample() -> ListVersion:
    return UnXmlImporter().load(SAMPLE)


def _names(version: ListVersion, entity_id: str) -> dict[str, tuple[str, str | None, str | None]]:
    return {n.value: (n.kind, n.lang, n.quality) for n in version.names if n.entity_id == entity_id}


def test_detected_by_content_not_name(tmp_path: Path) -> None:
    renamed = tmp_path / "download.bin"
    renamed.write_bytes(SAMPLE.read_bytes())
    assert detect(renamed).format == "un-xml"


def test_ids_schemata_and_publication_date(sample: ListVersion) -> None:
    subjects = {e.id: e.schema.name for e in sample.subjects()}
    assert subjects == {
        "un-KPi.901": "Person",
        "un-QDi.901": "Person",
        "un-KPe.901": "Organization",
    }
    assert str(sample.published) == "2026-02-27"


def test_names_keep_kind_quality_and_script(sample: ListVersion) -> None:
    person = sample.entities["un-KPi.901"]
    assert person.get("name") == ["RYANG SONG CHOL"]
    names = _names(sample, "un-KPi.901")
    assert names["량성철"] == ("alias", "ko", None)
    assert names["Ryang Song-chol"] == ("alias", None, "good")
    assert names["Mr. Ryang"] == ("weak", None, "low")
    assert names["Ryang Chol"] == ("former", None, None)
    assert person.get("weakAlias") == ["Mr. Ryang"]
    assert person.get("previousName") == ["Ryang Chol"]
    # Empty <ALIAS_NAME/> elements add nothing.
    assert set(_names(sample, "un-QDi.901")) == {"JOHN EXAMPLE DOE"}


def test_birth_date_variants(sample: ListVersion) -> None:
    dates = set(sample.entities["un-KPi.901"].get("birthDate"))
    # EXACT date, APPROXIMATELY year, BETWEEN range (every year), alias DOB.
    assert dates == {"1970-01-15", "1968", "1972", "1973", "1974", "1971-02-02"}
    assert sample.entities["un-QDi.901"].get("birthDate") == ["1975"]


def test_person_details(sample: ListVersion) -> None:
    p = sample.entities["un-KPi.901"]
    assert p.get("passportNumber") == ["836110001"]
    assert p.get("idNumber") == ["DPRK-ID-4411"]
    assert p.get("nationality") == ["kp"]
    assert p.get("gender") == ["male"]
    assert p.get("title") == ["Colonel"]
    assert p.get("position") == ["Deputy Director of the Test Trading Bureau"]
    assert "Hamhung, South Hamgyong, Democratic People's Republic of Korea" in p.get("birthPlace")
    assert p.get("address") == ["Pyongyang, Democratic People's Republic of Korea"]
    assert p.get("notes")[0] == "Representative of a designated bank abroad."
    assert p.get("programId") == ["DPRK"]


def test_sanction_listing_date_and_program(sample: ListVersion) -> None:
    s = sample.entities["un-KPi.901-sanction"]
    assert s.get("listingDate") == ["2016-11-30"]
    assert s.get("programId") == ["DPRK"]
    assert s.get("unscId") == ["KPi.901"]
    # A LISTED_ON with a time-zone suffix keeps its date.
    assert sample.entities["un-QDi.901-sanction"].get("listingDate") == ["2005-01-01"]


def test_company_imo_number_from_comments(sample: ListVersion) -> None:
    company = sample.entities["un-KPe.901"]
    assert company.get("imoNumber") == ["5912345"]
    assert company.get("alias") == ["KTSC"]


def test_unhandled_and_dropped_values_are_reported(sample: ListVersion) -> None:
    assert "element <FAVOURITE_COLOUR> not handled (1 records)" in sample.warnings
    assert any("un-QDi.901" in w and "Freedonia" in w for w in sample.warnings)


def test_dprk_counts(sample: ListVersion) -> None:
    counts = count_version(sample)
    assert counts["dprk_by_schema"] == {"Organization": 1, "Person": 1}


# -- real data ---------------------------------------------------------------

UN_FILES = {
    "un/un_consolidated_2026-02-27.xml": ("2026-02-27", 1003, {"Person": 730, "Organization": 273}),
    "un/history/un_consolidated_2021-01-27.xml": (
        "2021-01-27",
        1003,
        {"Person": 710, "Organization": 293},
    ),
    "un/history/un_consolidated_2025-06-18.xml": (
        "2025-06-18",
        877,
        {"Person": 684, "Organization": 193},
    ),
}


@pytest.fixture(scope="module")
def real_un(request: pytest.FixtureRequest) -> dict[str, ListVersion]:
    from tests.conftest import SHARED_DATA

    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    return {name: UnXmlImporter().load(SHARED_DATA / name) for name in UN_FILES}


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(UN_FILES))
def test_real_un_counts(real_un: dict[str, ListVersion], name: str) -> None:
    published, total, by_schema = UN_FILES[name]
    version = real_un[name]
    counts = count_version(version)
    assert str(version.published) == published
    assert counts["entities"] == total
    assert counts["by_schema"] == by_schema
    assert counts["dprk"] == 155
    assert counts["dprk_by_schema"] == {"Person": 80, "Organization": 75}


def _dprk(version: ListVersion) -> list[ValueEntity]:
    return [e for e in version.subjects() if "DPRK" in e.get("programId")]


@pytest.mark.shared_data
def test_real_un_dprk_listing_range_and_imo(real_un: dict[str, ListVersion]) -> None:
    version = real_un["un/un_consolidated_2026-02-27.xml"]
    dprk = _dprk(version)
    dates = sorted(version.entities[f"{e.id}-sanction"].get("listingDate")[0] for e in dprk)
    assert (dates[0], dates[-1]) == ("2009-04-24", "2018-03-30")
    with_imo = [e.id for e in dprk if e.get("imoNumber", quiet=True)]
    assert len(with_imo) == 16
    assert all(i.startswith("un-KPe.") for i in with_imo)
    assert version.entities["un-KPe.020"].get("imoNumber") == ["1790183"]
    ri = version.entities["un-KPi.033"]
    assert ri.get("passportNumber") == ["381310014"]
    assert ri.get("birthDate") == ["1964-07-17"]
    assert set(version.entities["un-KPi.066"].get("birthDate")) == {"1967", "1968", "1969"}


@pytest.mark.shared_data
def test_cli_imports_three_real_un_versions(
    shared_data: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [str(shared_data / name) for name in sorted(UN_FILES)]
    result = run_cli(capsys, "--data-dir", str(settings.home), "lists", "import", *paths, "--json")
    assert result.code == 0, result.err
    store = SnapshotStore(settings.home)
    versions = store.versions("un")
    assert [m.published for m in versions] == ["2021-01-27", "2025-06-18", "2026-02-27"]
    assert [m.counts["dprk"] for m in versions] == [155, 155, 155]
    active = store.active()["un"]
    assert active.manifest.published == "2026-02-27"
    assert sum(1 for _ in active.iter_dicts()) > 2000


def test_import_paths_stores_sample(settings: Settings) -> None:
    store = SnapshotStore(settings.home)
    (manifest,) = import_paths(store, [SAMPLE])
    assert manifest.list_name == "un"
    assert manifest.counts["dprk"] == 2
    snap = store.active()["un"]
    langs = {n.value: n.lang for n in snap.names()}
    assert langs["량성철"] == "ko"
