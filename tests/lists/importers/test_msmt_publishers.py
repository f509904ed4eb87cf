"""The other publishers: US CSL (JSON, CSV), Australia DFAT (XLSX), Canada SEMA (XML), Swiss SECO (XML).

No real file of these publishers is available to this project; each is tested
on a sample written by hand to the publisher's published layout, with the
same fictional DPRK person, company and ship plus one non-DPRK record.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.au.dfat import DfatXlsxImporter
from dprkwatch.lists.importers.ca.sema import SemaXmlImporter
from dprkwatch.lists.importers.ch.seco import SecoXmlImporter
from dprkwatch.lists.importers.us.csl import CslCsvImporter, CslJsonImporter
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.registry import detect
from dprkwatch.lists.snapshot import count_version
from tests.conftest import FIXTURES
from tests.lists.workbooks import csv_rows, write_xlsx

LISTS = FIXTURES / "lists"
CSL_JSON = LISTS / "csl_sample.json"
CSL_CSV = LISTS / "csl_sample.csv"
DFAT_ROWS = LISTS / "dfat_sample.csv"
SEMA = LISTS / "sema_sample.xml"
SECO = LISTS / "seco_sample.xml"


def _dfat(tmp_path: Path, rows: list[list[str]] | None = None) -> Path:
    return write_xlsx(tmp_path / "regulation8_consolidated.xlsx", rows or csv_rows(DFAT_ROWS))


def _error(load: object, path: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        load(path)  # type: ignore[operator]
    assert "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("csl_sample.json", "csl-json"),
        ("csl_sample.csv", "csl-csv"),
        ("sema_sample.xml", "sema-xml"),
        ("seco_sample.xml", "seco-xml"),
    ],
)
def test_detected_by_content(tmp_path: Path, name: str, fmt: str) -> None:
    copy = tmp_path / "download.bin"
    copy.write_bytes((LISTS / name).read_bytes())
    assert detect(copy).format == fmt


def test_dfat_detected_by_content(tmp_path: Path) -> None:
    book = _dfat(tmp_path).rename(tmp_path / "list.bin")
    assert detect(book).format == "dfat-xlsx"


# -- counts every publisher reports -------------------------------------------------


def _versions(tmp_path: Path) -> dict[str, ListVersion]:
    return {
        "csl": CslJsonImporter().load(CSL_JSON),
        "au": DfatXlsxImporter().load(_dfat(tmp_path)),
        "ca": SemaXmlImporter().load(SEMA),
        "ch": SecoXmlImporter().load(SECO),
    }


def test_each_publisher_counts_its_dprk_records(tmp_path: Path) -> None:
    for name, version in _versions(tmp_path).items():
        counts = count_version(version)
        assert version.list_name == name
        assert counts["entities"] == 4, name
        assert counts["dprk"] == 3, name


def test_publication_dates(tmp_path: Path) -> None:
    versions = _versions(tmp_path)
    # CSL: newest last_imported; SECO: the root date; DFAT and SEMA carry none, so the
    # newest control / listing date stands in.
    assert {k: str(v.published) for k, v in versions.items()} == {
        "csl": "2026-08-21",
        "au": "2026-08-20",
        "ca": "2026-06-12",
        "ch": "2026-08-20",
    }


# -- US Consolidated Screening List -------------------------------------------------


def test_csl_records(tmp_path: Path) -> None:
    version = CslJsonImporter().load(CSL_JSON)
    person = version.entities["csl-90101"]
    assert person.get("passportNumber") == ["836110001"]
    assert person.get("nationality") == ["kp"]
    vessel = version.entities["csl-90103"]
    assert (vessel.get("imoNumber"), vessel.get("mmsi"), vessel.get("flag")) == (
        ["9123453"],
        ["667001234"],
        ["sl"],
    )
    # An Entity List record has no programme: its North Korean address makes it DPRK-relevant.
    el = "csl-0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4"
    assert version.entities[el].get("programId") == []
    assert version.entities[el].get("country") == ["kp"]
    sanction = version.entities[f"{el}-sanction"]
    assert sanction.get("program") == ["Entity List (EL) - Bureau of Industry and Security"]
    assert "License policy: Policy of denial." in sanction.get("provisions")
    assert sanction.get("listingDate") == ["2021-09-01"]


def test_csl_csv_and_json_agree() -> None:
    from_json = CslJsonImporter().load(CSL_JSON)
    from_csv = CslCsvImporter().load(CSL_CSV)
    assert sorted(from_json.entities) == sorted(from_csv.entities)
    for key, entity in from_json.entities.items():
        other = from_csv.entities[key].to_dict()["properties"]
        mine = entity.to_dict()["properties"]
        assert {k: v for k, v in mine.items() if k != "address"} == {
            k: v for k, v in other.items() if k != "address"
        }, key


def test_csl_stated_total_must_match(tmp_path: Path) -> None:
    document = orjson.loads(CSL_JSON.read_bytes())
    document["total"] = 5
    path = tmp_path / "consolidated.json"
    path.write_bytes(orjson.dumps(document))
    err = _error(CslJsonImporter().load, path)
    assert err.problem == "the file states a total of 5 records but holds 4 (cut off or altered)"


def test_csl_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.json"
    path.write_bytes(CSL_JSON.read_bytes()[:1500])
    assert _error(CslJsonImporter().load, path).problem.startswith("truncated or invalid JSON")


# -- Australia DFAT ---------------------------------------------------------------


def test_dfat_rows_grouped_by_reference(tmp_path: Path) -> None:
    version = DfatXlsxImporter().load(_dfat(tmp_path))
    person = version.entities["au-1"]
    names = {n.value: (n.kind, n.lang) for n in version.names if n.entity_id == "au-1"}
    assert names == {
        "RYANG SONG CHOL": ("primary", None),
        "Mr. RYANG": ("weak", None),
        "량성철": ("alias", "ko"),
    }
    assert person.get("birthDate") == ["1970-01-15"]
    assert sorted(version.entities["au-1-sanction"].get("provisions")) == [
        "Targeted Financial Sanction",
        "Travel Ban",
    ]
    assert version.entities["au-3"].get("imoNumber") == ["9123453"]
    assert version.entities["au-2"].get("programId") == ["Autonomous (DPRK)"]


def test_dfat_renamed_column(tmp_path: Path) -> None:
    rows = csv_rows(DFAT_ROWS)
    rows[0][rows[0].index("Committees")] = "Regime"
    err = _error(DfatXlsxImporter().load, _dfat(tmp_path, rows))
    assert err.where == "row 1"
    assert err.problem == (
        "1 column(s) of the DFAT layout missing: 'Committees'; unknown column(s) 'Regime' (renamed?)"
    )


def test_dfat_serial_dates(tmp_path: Path) -> None:
    rows = csv_rows(DFAT_ROWS)
    rows[1][rows[0].index("Control Date")] = "42704"  # 30/11/2016 as an Excel date cell
    version = DfatXlsxImporter().load(_dfat(tmp_path, rows))
    assert version.entities["au-1"].get("modifiedAt") == ["2016-11-30"]


# -- Canada SEMA ------------------------------------------------------------------


def test_sema_records() -> None:
    version = SemaXmlImporter().load(SEMA)
    person = version.entities["ca-north-korea-1-part-1-12"]
    assert person.get("name") == ["Song Chol RYANG"]
    assert {n.value for n in version.names if n.entity_id == person.id} >= {"량성철"}
    ship = version.entities["ca-north-korea-1-1-3"]
    assert (ship.schema.name, ship.get("imoNumber"), ship.get("type"), ship.get("buildDate")) == (
        "Vessel",
        ["9123453"],
        ["Oil Tanker"],
        ["1996"],
    )
    sanction = version.entities["ca-north-korea-1-1-3-sanction"]
    assert sanction.get("listingDate") == ["2018-03-30"]
    assert sanction.get("authorityId") == ["Schedule 1.1, item 3"]
    holding = version.entities["ca-russia-1-part-2-901"]
    assert sorted(holding.get("alias")) == ["EIH", "Example Holding LLC"]


def test_sema_record_without_item(tmp_path: Path) -> None:
    path = tmp_path / "sema-lmes.xml"
    path.write_text(
        SEMA.read_text("utf-8").replace("<Item-NumeroDarticle>40</Item-NumeroDarticle>", ""),
        encoding="utf-8",
    )
    err = _error(SemaXmlImporter().load, path)
    assert err.problem == "record without Country-Pays or Item-NumeroDarticle"


# -- Switzerland SECO -------------------------------------------------------------


def test_seco_targets() -> None:
    version = SecoXmlImporter().load(SECO)
    assert "ch-1004" not in version.entities  # de-listed
    assert "1 de-listed targets of the whole-list export left out" in version.warnings
    person = version.entities["ch-1001"]
    names = {n.value: (n.kind, n.lang) for n in version.names if n.entity_id == "ch-1001"}
    assert names == {
        "RYANG Song Chol": ("primary", None),
        "Mr. Ryang": ("weak", None),
        "량성철": ("alias", "ko"),
    }
    assert (person.get("nationality"), person.get("passportNumber"), person.get("gender")) == (
        ["kp"],
        ["836110001"],
        ["male"],
    )
    assert version.entities["ch-1001-sanction"].get("listingDate") == ["2016-11-30"]
    assert version.entities["ch-1002"].get("previousName") == ["Test Marine Trading Corporation"]
    assert version.entities["ch-1003"].get("imoNumber") == ["9123453"]


def test_seco_unknown_elements_reported(tmp_path: Path) -> None:
    path = tmp_path / "seco.xml"
    path.write_text(
        SECO.read_text("utf-8").replace(
            "<justification>", "<eye-colour>brown</eye-colour><justification>"
        ),
        encoding="utf-8",
    )
    version = SecoXmlImporter().load(path)
    assert "element <individual/eye-colour> not handled (1 times)" in version.warnings
