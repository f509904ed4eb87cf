"""The OFAC importers on the real sets in ../shared/data/ofac (skipped when absent).

The expected counts were made independently of this code (see the data
folder's SOURCES.md); they pin entries, DPRK entries by type, vessels with an
IMO number, alias rows and the DPRK wallet addresses.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import orjson
import pytest

from dprkwatch.lists import parse
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.programs import any_dprk
from dprkwatch.lists.snapshot import count_version
from tests.conftest import SHARED_DATA
from tests.factory import run_cli

pytestmark = pytest.mark.shared_data

_CACHE: dict[str, ListVersion] = {}


def load(folder: str) -> ListVersion:
    """Parse a real set once per test session (the 2024 SDN list takes a second or two)."""
    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    if folder not in _CACHE:
        _CACHE[folder], _ = parse(SHARED_DATA / "ofac" / folder)
    return _CACHE[folder]


def dprk_subjects(version: ListVersion) -> list[str]:
    return [
        e.id for e in version.subjects() if e.id and any_dprk(version.list_name, e.get("programId", quiet=True))
    ]


@pytest.mark.parametrize(
    ("folder", "list_name", "entries", "dprk_by_schema"),
    [
        ("sdn_2024-05-03", "ofac", 14965, {"Person": 164, "Organization": 199, "Vessel": 105, "Airplane": 16}),
        ("sdn_2021-07_set", "ofac", 8976, {"Person": 130, "Organization": 162, "Vessel": 106, "Airplane": 16}),
        ("sdn_2019-01_set", "ofac", 7379, {"Person": 125, "Organization": 146, "Vessel": 101, "Airplane": 16}),
        ("consolidated_nonsdn_2025-12", "ofac_cons", 442, {}),
    ],
)
def test_counts(folder: str, list_name: str, entries: int, dprk_by_schema: dict[str, int]) -> None:
    version = load(folder)
    counts = count_version(version)
    assert version.list_name == list_name
    assert counts["entities"] == entries
    assert counts["dprk_by_schema"] == dict(sorted(dprk_by_schema.items()))
    assert counts["dprk"] == sum(dprk_by_schema.values())
    assert all(e.id and e.id.startswith("ofac-") for e in version.subjects())


def test_dprk_vessels_have_imo_numbers(shared_data: Path) -> None:
    version = load("sdn_2024-05-03")
    vessels = [version.entities[i] for i in dprk_subjects(version) if version.entities[i].schema.name == "Vessel"]
    stated = [v for v in vessels if any("IMO" in n for n in v.get("notes"))]
    assert len(stated) == 104
    # RYONG GUN BONG gives "Vessel Registration Identification 8606173" without the
    # word IMO; the number passes the IMO check digit, so it is read as one.
    assert {v.id for v in vessels if v.get("imoNumber")} == {v.id for v in vessels}
    assert version.entities["ofac-17104"].get("imoNumber") == ["IMO8606173"]


def test_dprk_wallets_2024(shared_data: Path) -> None:
    version = load("sdn_2024-05-03")
    dprk = set(dprk_subjects(version))
    found = {
        (str(w.first("holder")).removeprefix("ofac-"), w.first("currency"), w.first("publicKey"))
        for w in version.entities.values()
        if w.schema.name == "CryptoWallet" and w.first("holder") in dprk
    }
    path = shared_data / "crypto" / "derived" / "dprk_sdn_crypto_addresses_from_remarks_2024-05-03.csv"
    with path.open(newline="") as fh:
        expected = {(r["ent_num"], r["chain"], r["address"]) for r in csv.DictReader(fh)}
    assert len(expected) == 69
    assert found == expected


def test_2021_set_joins_companions(shared_data: Path) -> None:
    version = load("sdn_2021-07_set")
    dprk = set(dprk_subjects(version))
    # alt.csv names carry no quality flag; Remarks aliases are flagged "low".
    alt_names = [n for n in version.names if n.entity_id in dprk and n.kind != "primary" and n.quality is None]
    assert len(alt_names) == 322
    # The 5 sdn_comments rows complete the 5 Remarks cut at 1000 characters.
    assert not any("cut at 1000" in w for w in version.warnings)
    with (shared_data / "ofac" / "sdn_2021-07_set" / "sdn_comments.csv").open(encoding="cp1252") as fh:
        comments = {row[0]: row[1] for row in csv.reader(fh) if len(row) == 2}
    assert len(comments) == 5
    for ent, tail in comments.items():
        notes = version.entities[f"ofac-{ent}"].get("notes")
        assert any(len(n) > 1000 and n.endswith(tail.strip()) for n in notes)


def test_2024_warnings_are_aggregated(shared_data: Path) -> None:
    version = load("sdn_2024-05-03")
    assert 0 < len(version.warnings) < 20
    truncated = next(w for w in version.warnings if "cut at 1000" in w)
    assert truncated.startswith("remarks: 17 Remarks")  # 18 reach 1000 chars; 42496 is cut after a ";"


def test_links_resolve_to_records(shared_data: Path) -> None:
    version = load("sdn_2024-05-03")
    links = [e for e in version.entities.values() if e.schema.name == "UnknownLink"]
    assert len(links) > 6000
    assert all(e.first("object") in version.entities for e in links)
    roles = Counter(e.first("role") for e in links)
    assert roles == {"Linked To": len(links)}


def test_cli_imports_a_real_set(shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    folder = shared_data / "ofac" / "sdn_2021-07_set"
    r = run_cli(capsys, "--data-dir", str(home), "lists", "import", str(folder), "--json")
    assert r.code == 0, r.err
    manifest = orjson.loads(r.out)[0]
    assert manifest["published"] == "2021-07"  # from the folder name; the CSV has no date
    assert manifest["counts"]["dprk"] == 414
    assert [s["name"] for s in manifest["sources"]] == ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"]
    active = (home / "active.json").read_bytes()
    assert orjson.loads(active) == {"ofac": manifest["version"]}

    r = run_cli(capsys, "--data-dir", str(home), "lists", "import", str(folder / "alt.csv"))
    assert r.code != 0 and "unknown format" in r.err
    assert (home / "active.json").read_bytes() == active
