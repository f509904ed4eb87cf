"""EU Financial Sanctions Files: the official XML and the YAML copy give the same entities."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.eu.fsf_xml import EuFsfXmlImporter, snake
from dprkwatch.lists.importers.eu.yaml_copy import EuYamlImporter
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.registry import detect
from dprkwatch.lists.snapshot import count_version
from tests.conftest import FIXTURES, SHARED_DATA

XML_SAMPLE = FIXTURES / "lists" / "eu_fsf_sample.xml"
YAML_SAMPLE = FIXTURES / "lists" / "eu_sample.yaml"


@pytest.fixture(scope="module")
def xml_version() -> ListVersion:
    return EuFsfXmlImporter().load(XML_SAMPLE)


@pytest.fixture(scope="module")
def yaml_version() -> ListVersion:
    return EuYamlImporter().load(YAML_SAMPLE)


def test_formats_detected_by_content(tmp_path: Path) -> None:
    for source, expected in ((XML_SAMPLE, "eu-fsf-xml"), (YAML_SAMPLE, "eu-yaml")):
        copy = tmp_path / f"{expected}.dat"
        copy.write_bytes(source.read_bytes())
        assert detect(copy).format == expected


def test_camel_to_snake() -> None:
    assert snake("countryIso2Code") == "country_iso2_code"
    assert snake("euReferenceNumber") == "eu_reference_number"
    assert snake("logicalId") == "logical_id"


def test_xml_and_yaml_agree(xml_version: ListVersion, yaml_version: ListVersion) -> None:
    as_dicts = [
        {k: e.to_dict() for k, e in v.entities.items()} for v in (xml_version, yaml_version)
    ]
    assert as_dicts[0] == as_dicts[1]
    assert [n.to_row() for n in xml_version.names] == [n.to_row() for n in yaml_version.names]


def test_publication_dates(xml_version: ListVersion, yaml_version: ListVersion) -> None:
    # XML: the file's generationDate; YAML copy: the newest regulation it cites.
    assert str(xml_version.published) == "2026-05-01"
    assert str(yaml_version.published) == "2024-05-31"


def test_person_names_languages_and_strength(xml_version: ListVersion) -> None:
    person = xml_version.entities["eu-900001"]
    assert person.schema.name == "Person"
    assert person.get("name") == ["RYANG Song Chol"]
    details = {
        n.value: (n.kind, n.lang, n.quality)
        for n in xml_version.names
        if n.entity_id == "eu-900001"
    }
    assert details["량성철"] == ("alias", "ko", None)
    assert details["Mr. Ryang"] == ("weak", None, "low")
    assert details["Ryang Song-chol"] == ("alias", "en", None)
    assert person.get("weakAlias") == ["Mr. Ryang"]


def test_person_facts(xml_version: ListVersion) -> None:
    p = xml_version.entities["eu-900001"]
    # Full date, circa year (kept to the year), year + month.
    assert set(p.get("birthDate")) == {"1970-01-15", "1968", "1972-03"}
    assert p.get("birthPlace") == ["Hamhung, KOREA, DEMOCRATIC PEOPLE'S REPUBLIC OF"]
    assert p.get("nationality") == ["kp"]
    assert p.get("passportNumber") == ["836110001"]
    assert p.get("position") == ["Deputy Director of the Test Trading Bureau"]
    assert p.get("title") == ["Colonel"]
    assert p.get("gender") == ["male"]
    assert p.get("programId") == ["PRK"]
    assert any("diplomatic" in n for n in p.get("notes"))


def test_listing_date_is_earliest_regulation(xml_version: ListVersion) -> None:
    # The record's own regulation is a 2017 amendment; a name summary cites the 2016 listing act.
    s = xml_version.entities["eu-900001-sanction"]
    assert s.get("listingDate") == ["2016-12-01"]
    assert s.get("unscId") == ["KPi.901"]
    assert s.get("authorityId") == ["EU.9001.01"]
    # designationDate, when present, wins.
    assert xml_version.entities["eu-900003-sanction"].get("listingDate") == ["2022-02-23"]


def test_enterprise(xml_version: ListVersion) -> None:
    org = xml_version.entities["eu-900002"]
    assert org.schema.name == "Organization"
    assert org.get("imoNumber") == ["5912345"]
    assert org.get("phone")
    assert org.get("notes") == ["Ship owner"]


def test_non_gregorian_birth_date_reported(xml_version: ListVersion) -> None:
    assert not xml_version.entities["eu-900003"].get("birthDate")
    assert any("eu-900003" in w and "islamic" in w for w in xml_version.warnings)


def test_dprk_counts(xml_version: ListVersion) -> None:
    assert count_version(xml_version)["dprk_by_schema"] == {"Organization": 1, "Person": 1}


# -- bad input ---------------------------------------------------------------


def _yaml_error(tmp_path: Path, text: str | bytes) -> SourceError:
    path = tmp_path / "eu.yaml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    with pytest.raises(SourceError) as info:
        EuYamlImporter().load(path)
    assert "\n" not in str(info.value)
    assert str(info.value).split(":", 1)[0] in (str(path), path.name)
    return info.value


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    text = YAML_SAMPLE.read_text(encoding="utf-8").replace("code: person", "code: [person", 1)
    err = _yaml_error(tmp_path, text)
    assert err.problem.startswith("invalid YAML")
    assert err.where is not None and err.where.startswith("line ") and "column" in err.where


def test_yaml_wrong_encoding(tmp_path: Path) -> None:
    text = YAML_SAMPLE.read_text(encoding="utf-8").replace("량성철", "Ryang Jos\u00e9")
    err = _yaml_error(tmp_path, text.encode("latin-1", errors="replace"))
    assert err.problem.startswith("wrong encoding")
    line, raw = next((i, t) for i, t in enumerate(text.splitlines(), start=1) if "Jos\u00e9" in t)
    assert err.where == f"line {line}, column {raw.index('Jos') + 4}"


def test_yaml_empty_file(tmp_path: Path) -> None:
    err = _yaml_error(tmp_path, "")
    assert err.problem == "no records found"


def _repeat_first_record(text: str) -> str:
    """The fixture with person 900001 listed a second time under another regulation.

    This is what the real FSF does (logicalId 516 at lines 3630 and 3656 of the
    2022-03-18 export): one person, two regulation contexts, two records.
    """
    start = text.index("  <sanctionEntity ")
    end = text.index("</sanctionEntity>", start) + len("</sanctionEntity>")
    repeat = (
        text[start:end]
        .replace('programme="PRK"', 'programme="TAQA"')
        .replace('publicationDate="2017-08-05"', 'publicationDate="2009-03-01"')
        .replace('wholeName="Mr. Ryang"', 'wholeName="RYANG Song-chol (2)"')
        .replace('wholeName="RYANG Song Chol"', 'wholeName="Song Chol RYANG"')
    )
    return text[:end] + "\n" + repeat + text[end:]


def test_repeated_logical_id_is_merged(tmp_path: Path) -> None:
    path = tmp_path / "fsf.xml"
    path.write_text(_repeat_first_record(XML_SAMPLE.read_text("utf-8")), encoding="utf-8")
    version = EuFsfXmlImporter().load(path)
    single = EuFsfXmlImporter().load(XML_SAMPLE)
    assert len(list(version.subjects())) == len(list(single.subjects()))
    person = version.entities["eu-900001"]
    assert sorted(person.get("programId")) == ["PRK", "TAQA"]
    sanction = version.entities["eu-900001-sanction"]
    assert sorted(sanction.get("programId")) == ["PRK", "TAQA"]
    # The earliest regulation of either record is the listing date.
    assert sanction.get("listingDate") == ["2009-03-01"]
    # One primary name; the repeat's own primary becomes an alias; nothing is lost or doubled.
    names = [n for n in version.names if n.entity_id == "eu-900001"]
    assert [n.value for n in names if n.kind == "primary"] == ["RYANG Song Chol"]
    assert {"Song Chol RYANG", "RYANG Song-chol (2)", "량성철"} <= {n.value for n in names}
    assert len({(n.value, n.lang, n.quality) for n in names}) == len(names)
    assert person.get("birthDate") == single.entities["eu-900001"].get("birthDate")
    assert any(w.startswith("eu-900001: 2 records share this id") for w in version.warnings)


def test_yaml_repeated_logical_id_is_merged(tmp_path: Path) -> None:
    text = YAML_SAMPLE.read_text(encoding="utf-8").replace(
        "logical_id: '900003'", "logical_id: '900001'"
    )
    path = tmp_path / "eu.yaml"
    path.write_text(text, encoding="utf-8")
    version = EuYamlImporter().load(path)
    assert "eu-900003" not in version.entities
    assert "UKR" in version.entities["eu-900001"].get("programId")


def test_repeated_logical_id_of_another_subject_type_is_an_error(tmp_path: Path) -> None:
    text = YAML_SAMPLE.read_text(encoding="utf-8").replace(
        "logical_id: '900002'", "logical_id: '900001'"
    )
    err = _yaml_error(tmp_path, text)
    assert err.problem == "record id '900001' repeats as Organization, first seen as Person"
    assert err.where is not None and err.where.endswith("(document 2)")


def test_yaml_wrong_shape(tmp_path: Path) -> None:
    err = _yaml_error(
        tmp_path, "---\nlogical_id: '1'\nsubject_type: {code: person}\nname_aliases: [a, b]\n"
    )
    assert "name_aliases" in err.problem and err.where == "line 2 (document 1)"
    err = _yaml_error(tmp_path, "---\n- just\n- a list\n")
    assert err.problem == "record is not a mapping"


def test_yaml_alias_bomb_is_cheap_and_rejected(tmp_path: Path) -> None:
    levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        levels.append(f"a{i}: &a{i} [{refs}]")
    text = (
        "---\nlogical_id: '1'\nsubject_type: {code: person}\n"
        + "\n".join(levels)
        + "\nname_aliases: *a9\n"
    )
    started = time.perf_counter()
    err = _yaml_error(tmp_path, text)
    assert time.perf_counter() - started < 2
    assert "name_aliases" in err.problem


def test_fsf_xml_without_logical_id(tmp_path: Path) -> None:
    path = tmp_path / "fsf.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<export xmlns="http://eu.europa.ec/fpi/fsd/export">\n'
        '<sanctionEntity euReferenceNumber="EU.1"><subjectType code="person"/></sanctionEntity>\n</export>\n'
    )
    with pytest.raises(SourceError) as info:
        EuFsfXmlImporter().load(path)
    assert str(info.value) == f"{path}:line 3: record without logical_id"


# -- real data ---------------------------------------------------------------


@pytest.fixture(scope="module")
def real_eu() -> ListVersion:
    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    return EuYamlImporter().load(SHARED_DATA / "eu" / "eu_fsf_ammitto_2026-05-01.yaml")


@pytest.mark.shared_data
def test_real_eu_counts(real_eu: ListVersion) -> None:
    counts = count_version(real_eu)
    assert counts["entities"] == 5860
    assert counts["by_schema"] == {"Person": 4341, "Organization": 1519}
    assert counts["by_program"]["PRK"] == 255
    assert counts["dprk"] == 255
    assert counts["dprk_by_schema"] == {"Person": 159, "Organization": 96}
    assert str(real_eu.published) == "2026-02-26"


@pytest.mark.shared_data
def test_real_eu_hangul_aliases_keep_language(real_eu: ListVersion) -> None:
    prk = {e.id for e in real_eu.subjects() if "PRK" in e.get("programId")}
    hangul = [n for n in real_eu.names if n.entity_id in prk and n.script == "Hang"]
    assert len(hangul) == 79
    assert all(n.lang == "ko" for n in hangul)
    song = real_eu.entities["eu-165809"]
    assert song.get("name") == ["SONG Rim"]
    assert "송림" in song.get("alias")
    assert song.get("birthDate") == ["1991-02-25"]


@pytest.fixture(scope="module")
def real_fsf_xml() -> Path:
    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    return SHARED_DATA / "eu" / "eu_fsf_xml_1_1_2022-03-18_truncated.xml"


@pytest.mark.shared_data
def test_real_fsf_xml_truncated_download_is_refused(real_fsf_xml: Path) -> None:
    with pytest.raises(SourceError) as info:
        EuFsfXmlImporter().load(real_fsf_xml)
    message = str(info.value)
    assert len(message.splitlines()) == 1
    assert message.startswith(f"{real_fsf_xml}:line 28198, column ")
    assert "truncated or incomplete XML: the file ends inside a <sanctionEntity>" in message
    assert "after 1,044 complete records" in message


@pytest.mark.shared_data
def test_real_fsf_xml_cut_after_last_entity_imports(real_fsf_xml: Path, tmp_path: Path) -> None:
    data = real_fsf_xml.read_bytes()
    end = data.rindex(b"</sanctionEntity>") + len(b"</sanctionEntity>")
    cut = tmp_path / "eu_fsf_cut.xml"
    cut.write_bytes(data[:end] + b"\n</export>\n")
    version = EuFsfXmlImporter().load(cut)
    counts = count_version(version)
    assert counts["dprk"] == 46
    assert counts["dprk_by_schema"] == {"Organization": 29, "Person": 17}
    assert str(version.published) == "2022-03-18"
    # 1,044 elements; 20 logicalIds appear twice (one person, two regulation contexts).
    merged = [w for w in version.warnings if "records share this id" in w]
    assert len(merged) == 20
    assert counts["entities"] == 1044 - len(merged)
    person = version.entities["eu-516"]
    assert sorted(person.get("programId")) == ["AFG", "TAQA"]
    names = {n.value for n in version.names if n.entity_id == "eu-516"}
    assert {"Sayed Ghiasuddin Sayed Ghousuddin", "Agha, Sayyed Ghiassouddine"} <= names
    assert version.entities["eu-516-sanction"].get("listingDate") == ["2001-01-31"]


def test_unknown_fields_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "fsf.xml"
    path.write_text(
        XML_SAMPLE.read_text(encoding="utf-8")
        .replace('logicalId="900002">', 'logicalId="900002" sanctionColour="red">')
        .replace('<nameAlias firstName=""', '<nameAlias shoeSize="44" firstName=""', 1),
        encoding="utf-8",
    )
    version = EuFsfXmlImporter().load(path)
    assert "field sanction_colour not handled (1 times)" in version.warnings
    assert "field name_aliases.shoe_size not handled (1 times)" in version.warnings
