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
        e.id
        for e in version.subjects()
        if e.id and any_dprk(version.list_name, e.get("programId", quiet=True))
    ]


@pytest.mark.parametrize(
    ("folder", "list_name", "entries", "dprk_by_schema"),
    [
        (
            "sdn_2024-05-03",
            "ofac",
            14965,
            {"Person": 164, "Organization": 199, "Vessel": 105, "Airplane": 16},
        ),
        (
            "sdn_2021-07_set",
            "ofac",
            8976,
            {"Person": 130, "Organization": 162, "Vessel": 106, "Airplane": 16},
        ),
        (
            "sdn_2019-01_set",
            "ofac",
            7379,
            {"Person": 125, "Organization": 146, "Vessel": 101, "Airplane": 16},
        ),
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
    vessels = [
        version.entities[i]
        for i in dprk_subjects(version)
        if version.entities[i].schema.name == "Vessel"
    ]
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
    path = (
        shared_data / "crypto" / "derived" / "dprk_sdn_crypto_addresses_from_remarks_2024-05-03.csv"
    )
    with path.open(newline="") as fh:
        expected = {(r["ent_num"], r["chain"], r["address"]) for r in csv.DictReader(fh)}
    assert len(expected) == 69
    assert found == expected


def test_2021_set_joins_companions(shared_data: Path) -> None:
    version = load("sdn_2021-07_set")
    dprk = set(dprk_subjects(version))
    # alt.csv names carry no quality flag; Remarks aliases are flagged "low".
    alt_names = [
        n
        for n in version.names
        if n.entity_id in dprk and n.kind != "primary" and n.quality is None
    ]
    assert len(alt_names) == 322
    # The 5 sdn_comments rows complete the 5 Remarks cut at 1000 characters.
    assert not any("cut at 1000" in w for w in version.warnings)
    with (shared_data / "ofac" / "sdn_2021-07_set" / "sdn_comments.csv").open(
        encoding="cp1252"
    ) as fh:
        comments = {row[0]: row[1] for row in csv.reader(fh) if len(row) == 2}
    assert len(comments) == 5
    for ent, tail in comments.items():
        notes = version.entities[f"ofac-{ent}"].get("notes")
        assert any(len(n) > 1000 and n.endswith(tail.strip()) for n in notes)


def test_2024_warnings_are_aggregated(shared_data: Path) -> None:
    version = load("sdn_2024-05-03")
    assert 0 < len(version.warnings) < 20
    truncated = next(w for w in version.warnings if "cut at 1000" in w)
    assert truncated.startswith(
        "remarks: 17 Remarks"
    )  # 18 reach 1000 chars; 42496 is cut after a ";"


def test_links_resolve_to_records(shared_data: Path) -> None:
    version = load("sdn_2024-05-03")
    links = [e for e in version.entities.values() if e.schema.name == "UnknownLink"]
    assert len(links) > 6000
    assert all(e.first("object") in version.entities for e in links)
    roles = Counter(e.first("role") for e in links)
    assert roles == {"Linked To": len(links)}


def test_cli_imports_a_real_set(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    folder = shared_data / "ofac" / "sdn_2021-07_set"
    r = run_cli(capsys, "--data-dir", str(home), "lists", "import", str(folder), "--json")
    assert r.code == 0, r.err
    manifest = orjson.loads(r.out)[0]
    assert manifest["published"] == "2021-07"  # from the folder name; the CSV has no date
    assert manifest["counts"]["dprk"] == 414
    assert [s["name"] for s in manifest["sources"]] == [
        "sdn.csv",
        "add.csv",
        "alt.csv",
        "sdn_comments.csv",
    ]
    active = (home / "active.json").read_bytes()
    assert orjson.loads(active) == {"ofac": manifest["version"]}

    r = run_cli(capsys, "--data-dir", str(home), "lists", "import", str(folder / "alt.csv"))
    assert r.code != 0 and "unknown format" in r.err
    assert (home / "active.json").read_bytes() == active


def test_2024_cross_check_with_derived_counts(shared_data: Path) -> None:
    """The per-tag DPRK counts of the independently made snapshot table, last row."""
    with (shared_data / "ofac" / "derived" / "sdn_snapshot_counts_2021-08_2024-05.csv").open(
        newline=""
    ) as fh:
        last = list(csv.DictReader(fh))[-1]
    assert last["commit_date_utc"].startswith("2024-05-03")
    counts = count_version(load("sdn_2024-05-03"))
    assert counts["entities"] == int(last["total_entries"])
    for tag in ("DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"):
        assert counts["by_program"][tag] == int(last[f"n_{tag}"]), tag


def test_2024_cross_check_with_derived_dprk_rows(shared_data: Path) -> None:
    """Every DPRK row current on 2024-05-03 maps to an entity with its name, type, tags and flag."""
    version = load("sdn_2024-05-03")
    schema = {
        "individual": "Person",
        "vessel": "Vessel",
        "aircraft": "Airplane",
        "-0-": "Organization",
    }
    path = shared_data / "ofac" / "derived" / "sdn_dprk_row_versions_2021-08_2024-05.csv"
    with path.open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["last_seen"] == "2024-05-03"]
    assert len(rows) == 484
    for row in rows:
        e = version.entities[f"ofac-{row['ent_num']}"]
        assert e.get("name") == [row["SDN_Name"]]
        assert e.schema.name == schema[row["SDN_Type"]]
        assert set(e.get("programId")) == {t.strip() for t in row["Program"].split("] [")}
        if row["Call_Sign"] != "-0-":
            assert row["Call_Sign"] in e.get("callSign")
        if row["Vess_flag"] != "-0-":
            assert e.get("flag"), row["ent_num"]
