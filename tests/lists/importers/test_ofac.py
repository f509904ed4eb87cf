"""The OFAC importers on small hand-written sets (fictional records), through parse() and the CLI."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from followthemoney import ValueEntity
from hypothesis import given, settings
from hypothesis import strategies as st

from dprkwatch.lists import SourceError, parse
from dprkwatch.lists.exceptions import FormatError
from dprkwatch.lists.importers.ofac.legacy import OfacConsImporter, OfacSdnImporter
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.snapshot import count_version
from tests.conftest import FIXTURES
from tests.factory import run_cli

SDN_SET = FIXTURES / "lists" / "ofac_sdn_set"
CONS_SET = FIXTURES / "lists" / "ofac_cons_set"
N = "-0- "


@pytest.fixture(scope="module")
def sdn() -> ListVersion:
    version, importer = parse(SDN_SET)
    assert importer.format == "ofac-sdn"
    return version


def props(entity: ValueEntity, prop: str) -> set[str]:
    return set(entity.get(prop, quiet=True))


def copy_set(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / src.name
    shutil.copytree(src, dest)
    return dest


def append_rows(path: Path, text: str) -> None:
    """Add records before the file's 0x1A end mark, as OFAC would have written them."""
    data = path.read_bytes().rstrip(b"\x1a")
    path.write_bytes(data + text.encode("cp1252") + b"\x1a")


def main_row(
    ent: str, name: str, remarks: str = N, sdn_type: str = N, program: str = "DPRK"
) -> str:
    return f'{ent},"{name}",{sdn_type},"{program}",{N},{N},{N},{N},{N},{N},{N},{remarks}'


def test_counts_and_provenance(sdn: ListVersion) -> None:
    counts = count_version(sdn)
    assert counts["entities"] == 7
    assert counts["by_schema"] == {"Airplane": 1, "Organization": 2, "Person": 3, "Vessel": 1}
    assert counts["dprk"] == 5
    assert counts["dprk_by_schema"] == {"Airplane": 1, "Organization": 1, "Person": 2, "Vessel": 1}
    assert sdn.list_name == "ofac" and sdn.format == "ofac-sdn"
    assert sdn.published is None
    assert [p.name for p in sdn.sources] == ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"]


def test_dprk_individual(sdn: ListVersion) -> None:
    e = sdn.entities["ofac-1001"]
    assert e.schema.name == "Person"
    assert props(e, "name") == {"KIM, Chol Su"}
    assert (props(e, "lastName"), props(e, "firstName")) == ({"KIM"}, {"Chol Su"})
    assert props(e, "birthDate") == {"1962-06-15", "1965", "1966", "1967"}
    assert props(e, "birthPlace") == {"Pyongyang, Korea, North"}
    assert props(e, "birthCountry") == {"kp"}
    assert props(e, "nationality") == {"kp"}
    assert props(e, "gender") == {"male"}
    assert props(e, "passportNumber") == {"745110188"}
    assert props(e, "position") == {"Example Trading Corporation Representative"}
    assert props(e, "alias") == {"KIM, Cholsu"}
    assert props(e, "previousName") == {"KIM, Chol-soo"}
    assert props(e, "weakAlias") == {"KIM CHOL-SU"}
    assert props(e, "address") == {"Pyongyang, Korea, North"}
    assert props(e, "country") == {"kp"}
    assert props(e, "programId") == {"DPRK3"}
    assert any(n.startswith("DOB 15 Jun 1962; alt. DOB") for n in props(e, "notes"))
    names = {(n.value, n.kind, n.quality) for n in sdn.names if n.entity_id == "ofac-1001"}
    assert names == {
        ("KIM, Chol Su", "primary", None),
        ("KIM, Cholsu", "alias", None),
        ("KIM, Chol-soo", "former", None),
        ("KIM CHOL-SU", "weak", "low"),
    }


def test_sanction_and_link(sdn: ListVersion) -> None:
    s = sdn.entities["ofac-1001-sanction"]
    assert s.schema.name == "Sanction"
    assert props(s, "entity") == {"ofac-1001"}
    assert props(s, "authority") == {
        "US Department of the Treasury, Office of Foreign Assets Control"
    }
    assert props(s, "sourceUrl") == {"https://sanctionssearch.ofac.treas.gov/Details.aspx?id=1001"}
    assert props(s, "programId") == {"DPRK3"}
    assert any(p.startswith("Secondary sanctions risk:") for p in props(s, "provisions"))
    links = [e for e in sdn.entities.values() if e.schema.name == "UnknownLink"]
    # 1001, 1003 and 1004 are all "Linked To: EXAMPLE OCEAN SHIPPING CO." (with and without the final dot).
    assert {(e.first("subject"), e.first("object"), e.first("role")) for e in links} == {
        ("ofac-1001", "ofac-1002", "Linked To"),
        ("ofac-1003", "ofac-1002", "Linked To"),
        ("ofac-1004", "ofac-1002", "Linked To"),
    }


def test_organization_names_and_company_imo(sdn: ListVersion) -> None:
    e = sdn.entities["ofac-1002"]
    assert e.schema.name == "Organization"
    assert props(e, "programId") == {"DPRK2", "NPWMD"}
    assert props(e, "imoNumber") == {"IMO5123456"}
    assert props(e, "jurisdiction") == {"kp"}
    assert props(e, "previousName") == {"OLD EXAMPLE SHIPPING"}
    assert props(e, "weakAlias") == {"EOS; PYONGYANG BRANCH"}
    assert props(e, "alias") == {"EXAMPLE MARINE CO."}  # nka
    assert props(e, "address") == {"Sungri Street 12, Pyongyang, Korea, North"}


def test_vessel(sdn: ListVersion) -> None:
    e = sdn.entities["ofac-1003"]
    assert e.schema.name == "Vessel"
    assert props(e, "imoNumber") == {"IMO9123453"}
    assert props(e, "mmsi") == {"445123000"}
    assert props(e, "callSign") == {"HMEX1"}
    assert props(e, "type") == {"Oil Products Tanker"}
    assert props(e, "tonnage") == {"2500"}
    assert props(e, "grossRegisteredTonnage") == {"1998"}
    assert props(e, "flag") == {"kp"}
    assert props(e, "pastFlags") == {"sl"}
    assert props(e, "buildDate") == {"1999"}
    assert "Owner: EXAMPLE OCEAN SHIPPING CO." in props(e, "notes")


def test_wallets_use_the_comments_overflow(sdn: ListVersion) -> None:
    main = next(
        line
        for line in (SDN_SET / "sdn.csv").read_text("cp1252").splitlines()
        if line.startswith("1004,")
    )
    overflow = (SDN_SET / "sdn_comments.csv").read_text("cp1252")
    assert main.endswith('Address - X"'), "the fixture cuts 1004's Remarks inside an address item"
    joined = main.rstrip('"') + overflow.split(',"', 1)[1]
    expected = set(re.findall(r"Digital Currency Address - (\w+) (\w+)", joined))
    assert len(expected) == 15

    wallets = [
        e
        for e in sdn.entities.values()
        if e.schema.name == "CryptoWallet" and e.first("holder") == "ofac-1004"
    ]
    assert {(w.first("currency"), w.first("publicKey")) for w in wallets} == expected
    assert all(props(w, "programId") == {"DPRK3"} for w in wallets)
    assert [w.id for w in wallets][:2] == ["ofac-1004-wallet-1", "ofac-1004-wallet-2"]
    assert not any("cut at 1000" in w for w in sdn.warnings)


def test_cp1252_names_and_unparsed_items(sdn: ListVersion) -> None:
    e = sdn.entities["ofac-1005"]
    assert props(e, "name") == {"ŠTEFANÍK, Jožef"}
    assert props(e, "alias") == {"STEFANIK, Jozef"}
    assert props(e, "birthDate") == {"1955"}
    assert props(e, "citizenship") == {"sk"}
    assert props(e, "idNumber") == {"12345678"}
    assert props(e, "address") == {"Hlavná 1, Košice 040 01, Slovakia"}
    assert any("'Member of the' x1" in w for w in sdn.warnings)


def test_aircraft(sdn: ListVersion) -> None:
    e = sdn.entities["ofac-1006"]
    assert e.schema.name == "Airplane"
    assert props(e, "model") == {"IL-76TD"}
    assert props(e, "serialNumber") == {"1003403104"}
    assert props(e, "registrationNumber") == {"P-999"}


def test_consolidated_set() -> None:
    version, importer = parse(CONS_SET)
    assert importer.format == "ofac-cons"
    assert version.list_name == "ofac_cons"
    counts = count_version(version)
    assert (counts["entities"], counts["dprk"]) == (3, 0)
    e = version.entities["ofac-9002"]
    assert props(e, "programId") == {"UKRAINE-EO13662", "RUSSIA-EO14024"}
    assert props(e, "registrationNumber") == {"1027700000001"}
    assert props(e, "taxNumber") == {"7700000001"}
    assert props(e, "previousName") == {"OLD EXAMPLE ENERGY"}
    # The alias repeats in the Remarks; it is kept once, in the entity and in the sidecar.
    assert [n.value for n in version.names if n.entity_id == "ofac-9002" and n.kind == "weak"] == [
        "EXAMPLE ENERGY"
    ]
    provisions = props(version.entities["ofac-9002-sanction"], "provisions")
    assert any(
        p.endswith("ukraine.aspx#directives") for p in provisions
    )  # joined from cons_comments.csv
    assert props(version.entities["ofac-9003"], "incorporationDate") == {"2001-01-12"}


def test_sniff_by_content() -> None:
    sdn_head = (SDN_SET / "sdn.csv").read_bytes()
    cons_head = (CONS_SET / "cons_prim.csv").read_bytes()
    sdn_imp, cons_imp = OfacSdnImporter(), OfacConsImporter()
    assert sdn_imp.sniff(Path("x"), sdn_head) > cons_imp.sniff(Path("x"), sdn_head)
    assert cons_imp.sniff(Path("x"), cons_head) > sdn_imp.sniff(Path("x"), cons_head)
    assert sdn_imp.sniff(Path("x"), sdn_head) >= 0.9
    for companion in ("alt.csv", "add.csv", "sdn_comments.csv"):
        head = (SDN_SET / companion).read_bytes()
        assert 0 < sdn_imp.sniff(Path("x"), head) < 0.5
        assert cons_imp.sniff(Path("x"), head) == 0
    noise = bytes(range(256)) * 4 + b"1,2,3\r\n"
    for other in (
        noise,
        b"\x93\rU\n1,\r2",
        b"<?xml version='1.0'?><CONSOLIDATED_LIST/>",
        b'{"id": "x", "schema": "Person"}',
        b"---\na: 1\n",
    ):
        assert sdn_imp.sniff(Path("x"), other) == 0 == cons_imp.sniff(Path("x"), other)


def test_companion_alone_is_an_unknown_format() -> None:
    with pytest.raises(FormatError, match="unknown format"):
        parse(SDN_SET / "alt.csv")


def test_forced_format(tmp_path: Path) -> None:
    version, importer = parse(SDN_SET / "sdn.csv", fmt="ofac-cons")
    assert importer.format == "ofac-cons" and version.list_name == "ofac_cons"
    assert "ofac-1001" in version.entities


def test_duplicate_ent_num(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_text(main_row("7", "A") + "\r\n" + main_row("7", "B") + "\r\n", "cp1252")
    with pytest.raises(SourceError, match=r"sdn\.csv:line 2: duplicate record id '7'"):
        parse(path)


def test_non_numeric_key_in_companion(tmp_path: Path) -> None:
    d = copy_set(SDN_SET, tmp_path)
    (d / "alt.csv").write_text(f'1001,501,"aka","X",{N}\r\nabc,502,"aka","Y",{N}\r\n', "cp1252")
    with pytest.raises(SourceError, match=r"alt\.csv:line 2: ent_num 'abc' is not a number"):
        parse(d)


def test_duplicate_alt_num(tmp_path: Path) -> None:
    d = copy_set(SDN_SET, tmp_path)
    (d / "alt.csv").write_text(f'1001,501,"aka","X",{N}\r\n1002,501,"aka","Y",{N}\r\n', "cp1252")
    with pytest.raises(SourceError, match=r"alt\.csv:line 2: duplicate alt_num 501"):
        parse(d)


def test_orphan_companion_rows_are_warned(tmp_path: Path) -> None:
    d = copy_set(SDN_SET, tmp_path)
    append_rows(d / "add.csv", f'4242,999,{N},"Nowhere","Korea, North",{N}\r\n')
    version, _ = parse(d)
    assert any(
        w.startswith("add file: 1 ent_num values have no record") and "4242" in w
        for w in version.warnings
    )


def test_truncated_remarks_without_overflow(tmp_path: Path) -> None:
    d = copy_set(SDN_SET, tmp_path)
    (d / "sdn_comments.csv").unlink()
    version, _ = parse(d)
    assert [p.name for p in version.sources] == ["sdn.csv", "add.csv", "alt.csv"]
    wallets = [
        e
        for e in version.entities.values()
        if e.schema.name == "CryptoWallet" and e.first("holder") == "ofac-1004"
    ]
    # The address cut at character 1000 is not turned into a wallet.
    assert len(wallets) == 13
    assert any("1 Remarks cut at 1000 characters" in w and "1004" in w for w in version.warnings)


def test_unknown_type_and_bad_country_are_warned(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_text(
        main_row("1", "X", '"nationality Atlantis; Gender Male."', '"spaceship"') + "\r\n", "cp1252"
    )
    version, _ = parse(path)
    assert version.entities["ofac-1"].schema.name == "LegalEntity"
    assert any("SDN_Type 'spaceship' is not known" in w for w in version.warnings)
    assert any(
        w.startswith("nationality: 1 values are not a recognised country") for w in version.warnings
    )


# -- through the command line --------------------------------------------------


def test_cli_imports_both_sets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    r = run_cli(
        capsys, "--data-dir", str(home), "lists", "import", str(SDN_SET), str(CONS_SET), "--json"
    )
    assert r.code == 0, r.err
    manifests = {m["list_name"]: m for m in orjson.loads(r.out)}
    assert manifests["ofac"]["counts"]["dprk"] == 5
    assert manifests["ofac_cons"]["counts"]["entities"] == 3
    assert orjson.loads((home / "active.json").read_bytes()).keys() == {"ofac", "ofac_cons"}


def _wrong_width(d: Path) -> tuple[Path, str]:
    append_rows(d / "add.csv", '1001,777,"only three fields"\r\n')
    return d, "add.csv:line 5: expected 6 fields"


def _bad_encoding(d: Path) -> tuple[Path, str]:
    data = (d / "sdn.csv").read_bytes()
    (d / "sdn.csv").write_bytes(data.replace(b"KIM, Chol Su", b"KIM, Chol \x81u"))
    return d, "sdn.csv:line 1: byte 0x81 at offset"


def _truncated(d: Path) -> tuple[Path, str]:
    data = (d / "sdn.csv").read_bytes()
    (d / "sdn.csv").write_bytes(data[: data.index(b"1006,") + 30])
    return d, "sdn.csv:line 6: quoted field is never closed"


def _empty(d: Path) -> tuple[Path, str]:
    (d / "sdn_comments.csv").write_bytes(b"")
    return d, "sdn_comments.csv: file is empty"


def _duplicate(d: Path) -> tuple[Path, str]:
    append_rows(d / "sdn.csv", main_row("1003", "AGAIN") + "\r\n")
    return d, "sdn.csv:line 8: duplicate record id '1003'"


def _unknown_format(d: Path) -> tuple[Path, str]:
    return d / "alt.csv", "alt.csv: unknown format"


@pytest.mark.parametrize(
    "damage",
    [_wrong_width, _bad_encoding, _truncated, _empty, _duplicate, _unknown_format],
    ids=["wrong-width", "bad-encoding", "truncated", "empty", "duplicate-id", "unknown-format"],
)
def test_cli_bad_input_is_one_line_and_leaves_active_untouched(
    damage: Callable[[Path], tuple[Path, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    assert run_cli(capsys, "--data-dir", str(home), "lists", "import", str(SDN_SET)).code == 0
    active = (home / "active.json").read_bytes()
    snapshots = sorted(p.name for p in (home / "snapshots" / "ofac").iterdir())

    target, message = damage(copy_set(SDN_SET, tmp_path))
    r = run_cli(capsys, "--data-dir", str(home), "lists", "import", str(target))
    assert r.code != 0
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert (home / "active.json").read_bytes() == active
    assert sorted(p.name for p in (home / "snapshots" / "ofac").iterdir()) == snapshots


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_sniff_never_fails_on_arbitrary_bytes(head: bytes) -> None:
    for importer in (OfacSdnImporter(), OfacConsImporter()):
        assert 0.0 <= importer.sniff(Path("x"), head) <= 1.0
