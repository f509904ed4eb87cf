"""UK lists: the two official CSV layouts and the lossy YAML copy."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.uk.csv_lists import OfsiCsvImporter, UkslCsvImporter
from dprkwatch.lists.importers.uk.record import designation_source, name_kind, split_enumerated
from dprkwatch.lists.importers.uk.yaml_copy import MISSING_NOTE, UkYamlImporter
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.programs import is_dprk_program
from dprkwatch.lists.registry import detect
from dprkwatch.lists.snapshot import count_version
from tests.conftest import FIXTURES, SHARED_DATA

CONLIST = FIXTURES / "lists" / "uk_conlist_sample.csv"
UKSL = FIXTURES / "lists" / "uk_sanctions_list_sample.csv"
YAML = FIXTURES / "lists" / "uk_sample.yaml"


@pytest.fixture(scope="module")
def conlist() -> ListVersion:
    return OfsiCsvImporter().load(CONLIST)


@pytest.fixture(scope="module")
def uksl() -> ListVersion:
    return UkslCsvImporter().load(UKSL)


@pytest.fixture(scope="module")
def yaml_version() -> ListVersion:
    return UkYamlImporter().load(YAML)


def _names(version: ListVersion, entity_id: str) -> dict[str, tuple[str, str | None, str | None]]:
    return {n.value: (n.kind, n.lang, n.quality) for n in version.names if n.entity_id == entity_id}


@pytest.mark.parametrize(
    ("path", "fmt"), [(CONLIST, "ofsi-csv"), (UKSL, "uksl-csv"), (YAML, "uk-yaml")]
)
def test_detected_by_content(tmp_path: Path, path: Path, fmt: str) -> None:
    copy = tmp_path / "list.txt"
    copy.write_bytes(path.read_bytes())
    assert detect(copy).format == fmt


def test_conlist_groups_rows_by_group_id(conlist: ListVersion) -> None:
    subjects = {e.id: e.schema.name for e in conlist.subjects()}
    assert subjects == {
        "uk-90001": "Person",
        "uk-90002": "Organization",
        "uk-90003": "Vessel",
        "uk-90004": "Person",
    }
    assert str(conlist.published) == "2026-08-20"


def test_conlist_person(conlist: ListVersion) -> None:
    p = conlist.entities["uk-90001"]
    assert p.get("name") == ["RYANG SONG CHOL"]
    assert _names(conlist, "uk-90001") == {
        "RYANG SONG CHOL": ("primary", None, None),
        "Ryang Song-chol": ("alias", None, "good"),
        "Mr. RYANG": ("weak", None, "low"),
        "RYANG CHOL": ("former", None, None),
        "량성철": ("alias", "ko", None),
    }
    # One DOB per row: full date and a 00/00/YYYY year.
    assert set(p.get("birthDate")) == {"1970-01-15", "1968"}
    assert p.get("nationality") == ["kp"]
    assert p.get("passportNumber") == ["836110001"]
    assert p.get("birthPlace") == ["Hamhung, North Korea"]
    assert p.get("title") == ["Colonel"]
    assert is_dprk_program("uk", p.get("programId")[0])
    s = conlist.entities["uk-90001-sanction"]
    assert s.get("listingDate") == ["2016-11-30"]
    # The ConList has no designation-source column: a UN reference marks a UN designation.
    assert s.get("unscId") == ["KPi.901"]
    assert designation_source(s) == "UN"
    assert s.get("authorityId") == ["DPR9001"]


def test_conlist_vessel_columns(conlist: ListVersion) -> None:
    v = conlist.entities["uk-90003"]
    assert v.get("imoNumber") == ["9123456"]
    assert v.get("type") == ["Oil tanker"]
    assert v.get("flag") == ["sl"]
    assert v.get("pastFlags") == ["pa", "tg"]
    assert v.get("buildDate") == ["1998"]
    assert "Owner: Korea Test Shipping Company" in v.get("notes")


def test_conlist_entity_identifiers_from_other_information(conlist: ListVersion) -> None:
    org = conlist.entities["uk-90002"]
    assert org.get("imoNumber") == ["5912345"]
    assert org.get("swiftBic") == ["KTSCKPPY"]
    assert designation_source(conlist.entities["uk-90002-sanction"]) == "UK"


def test_conlist_wallet(conlist: ListVersion) -> None:
    wallet = conlist.entities["uk-90004-wallet-1"]
    assert wallet.get("publicKey") == ["1FfmbHfnpaZjKFvyi1okTjJJusN455paPH"]
    assert wallet.get("currency") == ["XBT"]
    assert wallet.get("holder") == ["uk-90004"]
    assert conlist.entities["uk-90004"].get("birthDate") == ["1975"]


def test_uk_sanctions_list_layout_uses_unique_id(uksl: ListVersion) -> None:
    assert {e.id for e in uksl.subjects()} == {"uk-DPR9001", "uk-DPR9004"}
    assert str(uksl.published) == "2026-08-22"
    p = uksl.entities["uk-DPR9001"]
    assert p.get("name") == ["RYANG SONG CHOL"]
    assert p.get("gender") == ["male"]
    assert _names(uksl, "uk-DPR9001")["Mr. RYANG"] == ("weak", None, "low")
    assert designation_source(uksl.entities["uk-DPR9001-sanction"]) == "UN"
    assert uksl.entities["uk-DPR9001-sanction"].get("provisions") == ["Asset freeze", "Travel Ban"]
    org = uksl.entities["uk-DPR9004"]
    assert org.get("registrationNumber") == ["12345", "67890"]
    assert designation_source(uksl.entities["uk-DPR9004-sanction"]) == "UK"
    assert count_version(uksl)["dprk"] == 2


def test_yaml_copy(yaml_version: ListVersion) -> None:
    assert str(yaml_version.published) == "2026-08-20"
    p = yaml_version.entities["uk-DPR9001"]
    assert _names(yaml_version, "uk-DPR9001")["량성철"] == ("alias", "ko", None)
    assert _names(yaml_version, "uk-DPR9001")["Ryang Song Chol"] == ("alias", None, None)
    # Recovered from other_information, the only place the copy still has them.
    assert p.get("gender") == ["male"]
    assert p.get("birthDate") == ["1971-02-22"]
    assert p.get("passportNumber") == ["836110034"]
    assert yaml_version.entities["uk-DPR9002"].get("imoNumber") == ["5912345"]
    assert yaml_version.entities["uk-DPR9003"].get("imoNumber") == ["9123456"]
    assert MISSING_NOTE in yaml_version.warnings
    assert "field favourite_colour not handled (1 times)" in yaml_version.warnings
    sources = {
        e.id: designation_source(yaml_version.entities[f"{e.id}-sanction"])
        for e in yaml_version.subjects()
    }
    assert sources == {
        "uk-DPR9001": "UN",
        "uk-DPR9002": "UK",
        "uk-DPR9003": "UN",
        "uk-RUS9001": "UK|UN",
    }
    assert count_version(yaml_version)["dprk_by_schema"] == {
        "Organization": 1,
        "Person": 1,
        "Vessel": 1,
    }


@pytest.mark.parametrize(
    ("name_type", "quality", "expected"),
    [
        ("Primary name", None, ("primary", None)),
        ("Primary Name Variation", None, ("alias", None)),
        ("AKA", "Low", ("weak", "low")),
        ("Alias", "Good quality a.k.a", ("alias", "good")),
        ("FKA", None, ("former", None)),
    ],
)
def test_name_kinds(name_type: str, quality: str | None, expected: tuple[str, str | None]) -> None:
    assert name_kind(name_type, quality) == expected


def test_split_enumerated() -> None:
    assert split_enumerated("(1) Panama (2) Togo") == ["Panama", "Togo"]
    assert split_enumerated("Panama") == ["Panama"]


# -- bad input ---------------------------------------------------------------


def _csv_error(tmp_path: Path, data: bytes) -> SourceError:
    path = tmp_path / "ConList.csv"
    path.write_bytes(data)
    with pytest.raises(SourceError) as info:
        OfsiCsvImporter().load(path)
    assert "\n" not in str(info.value)
    assert str(info.value).split(":", 1)[0] in (str(path), path.name)
    return info.value


def test_csv_wrong_encoding(tmp_path: Path) -> None:
    text = CONLIST.read_text(encoding="utf-8").replace("량성철", "Jos\u00e9")
    err = _csv_error(tmp_path, text.encode("latin-1", errors="replace"))
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if "Jos\u00e9" in t)
    assert err.problem.startswith("wrong encoding")
    assert err.where is not None and err.where.startswith(f"line {line}, column")


def test_csv_empty_and_headerless(tmp_path: Path) -> None:
    assert _csv_error(tmp_path, b"").problem == "file is empty"
    assert "no header row" in _csv_error(tmp_path, b"Last Updated,01/01/2026\na,b,c\n").problem


def test_csv_row_without_id(tmp_path: Path) -> None:
    lines = CONLIST.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",90001,", ",,")
    err = _csv_error(tmp_path, ("\n".join(lines) + "\n").encode())
    assert err.problem == "row without Group ID"
    assert err.where == "line 3"


def test_csv_id_used_by_two_kinds_of_record(tmp_path: Path) -> None:
    text = CONLIST.read_text(encoding="utf-8").replace(",90003,", ",90002,")
    err = _csv_error(tmp_path, text.encode())
    assert "'90002' is used by an Entity" in err.problem and "Ship" in err.problem


def test_csv_truncated_quoted_field(tmp_path: Path) -> None:
    text = CONLIST.read_text(encoding="utf-8") + '"SOMEONE,unterminated'
    err = _csv_error(tmp_path, text.encode())
    assert err.problem.startswith("invalid CSV")


def test_yaml_duplicate_unique_id(tmp_path: Path) -> None:
    path = tmp_path / "uk.yaml"
    path.write_text(
        YAML.read_text(encoding="utf-8").replace("unique_id: DPR9002", "unique_id: DPR9001")
    )
    with pytest.raises(SourceError) as info:
        UkYamlImporter().load(path)
    assert "duplicate record id 'DPR9001'" in str(info.value)
    assert (
        info.value.where is not None
        and info.value.where.startswith("line ")
        and info.value.where.endswith("(document 2)")
    )


# -- real data ---------------------------------------------------------------


@pytest.fixture(scope="module")
def real_uk() -> ListVersion:
    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    return UkYamlImporter().load(SHARED_DATA / "uk" / "uk_ofsi_conlist_ammitto_2026-08-22.yaml")


@pytest.mark.shared_data
def test_real_uk_counts(real_uk: ListVersion) -> None:
    counts = count_version(real_uk)
    assert counts["entities"] == 6349
    assert counts["by_schema"] == {"Person": 4036, "Organization": 1647, "Vessel": 666}
    assert counts["dprk"] == 261
    assert counts["dprk_by_schema"] == {"Person": 138, "Organization": 86, "Vessel": 37}
    assert str(real_uk.published) == "2026-08-20"


@pytest.mark.shared_data
def test_real_uk_designation_sources(real_uk: ListVersion) -> None:
    dprk = [
        e for e in real_uk.subjects() if any(is_dprk_program("uk", c) for c in e.get("programId"))
    ]
    sources = Counter(designation_source(real_uk.entities[f"{e.id}-sanction"]) for e in dprk)
    assert sources == {"UN": 192, "UK": 69}
    omm = real_uk.entities["uk-DPR0181"]
    # Only the company's own number, not the 22 vessel numbers listed before it.
    assert omm.get("imoNumber") == ["1790183"]
    assert real_uk.entities["uk-DPR0181-sanction"].get("unscId") == ["KPe.020"]
