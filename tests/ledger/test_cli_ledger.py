"""The `dprkwatch ledger ...` and `dprkwatch claims` commands, in-process."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.factory import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ledger"


def _cli(capsys: pytest.CaptureFixture[str], home: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli(capsys, "--data-dir", str(home), *args)


def test_timeline_filters_by_kind_and_date(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    r = _cli(
        capsys,
        tmp_path,
        "ledger",
        "timeline",
        "--kind",
        "summit",
        "--from",
        "2018",
        "--to",
        "2019",
        "--json",
    )
    assert r.code == 0, r.err
    rows = json.loads(r.out)
    assert [(e["date"], e["end_date"]) for e in rows if "Hanoi" in e["title"]] == [
        ("2019-02-27", "2019-02-28")
    ]
    assert {e["kind"] for e in rows} == {"summit"}
    assert all("2018" <= e["date"] < "2020" for e in rows)
    assert "Singapore summit (Trump and Kim Jong Un)" in {e["title"] for e in rows}
    assert all(e["sources"] for e in rows)


def test_timeline_category_and_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    r = _cli(
        capsys,
        tmp_path,
        "ledger",
        "timeline",
        "--kind",
        "humanitarian",
        "--from",
        "2018-07",
        "--to",
        "2018-07",
        "--csv",
    )
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert [(x["date"], x["kind"]) for x in rows] == [("2018-07-27", "remains-return")]
    assert "55 boxes" in rows[0]["title"]


def test_bad_filters_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    r = _cli(capsys, tmp_path, "ledger", "timeline", "--kind", "parade")
    assert r.code == 2
    assert r.err.strip().startswith("error: --kind: unknown kind 'parade'")
    assert len(r.err.strip().splitlines()) == 1
    r = _cli(capsys, tmp_path, "ledger", "timeline", "--from", "2018-02-30")
    assert r.code == 2 and "--from: impossible date 2018-02-30" in r.err
    r = _cli(capsys, tmp_path, "ledger", "pressure", "--from", "2020", "--to", "2019")
    assert r.code == 2 and "is after --to" in r.err


def test_import_then_timeline_and_pressure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    r = _cli(
        capsys,
        tmp_path,
        "ledger",
        "import",
        str(FIXTURES / "cns_test.en.json"),
        str(FIXTURES / "ofac_lifetimes.csv"),
        "--json",
    )
    assert r.code == 0, r.err
    assert sorted(m["name"] for m in json.loads(r.out)) == ["cns", "ofac-first-seen"]
    r = _cli(
        capsys,
        tmp_path,
        "ledger",
        "timeline",
        "--kind",
        "missile-launch",
        "--dataset",
        "cns",
        "--json",
    )
    assert [e["date"] for e in json.loads(r.out)] == [
        "2017-07-04",
        "2017-11-28",
        "2019-05-04",
        "2019-05-04",
    ]
    r = _cli(
        capsys, tmp_path, "ledger", "pressure", "--from", "2022-10", "--to", "2023-03", "--json"
    )
    data = json.loads(r.out)
    rows = {row["quarter"]: row for row in data["rows"]}
    assert rows["2022-Q4"]["ofac"] == 1 and rows["2023-Q1"]["ofac"] == 1
    assert rows["2022-Q4"]["launches"] is None  # the fixture's launch data ends in 2019
    assert data["baseline"]["ofac"]["count"] == 1


def test_import_of_a_bad_file_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    r = _cli(
        capsys,
        tmp_path,
        "ledger",
        "import",
        str(FIXTURES / "cns_tests.csv"),
        str(FIXTURES / "cns_bad_date.csv"),
    )
    assert r.code == 2
    assert (
        r.err.strip()
        == "error: cns_bad_date.csv:line 3: `Date`: impossible date 1998-02-31: February 1998 has 28 days"
    )
    assert not (tmp_path / "ledger" / "imports").exists()


def test_resolutions_measures_and_agreements(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    r = _cli(
        capsys,
        tmp_path,
        "ledger",
        "resolutions",
        "--measures",
        "--kind",
        "cap",
        "--from",
        "2017-12",
        "--to",
        "2017-12",
        "--csv",
    )
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert ("refined petroleum products", "500,000", "barrels per year") in {
        (x["subject"], x["quantity"], x["unit"]) for x in rows
    }
    r = _cli(
        capsys, tmp_path, "ledger", "agreements", "--party", "DPRK", "--status", "kept", "--json"
    )
    assert {x["commitment"] for x in json.loads(r.out)} >= {"singapore-2018/remains-identified"}
    r = _cli(capsys, tmp_path, "ledger", "agreements", "--status", "maybe")
    assert r.code == 2 and "unknown status 'maybe'" in r.err


def test_compliance_table_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    r = _cli(capsys, tmp_path, "ledger", "compliance", "--json")
    data = json.loads(r.out)
    cell = next(
        c
        for c in data["cells"]
        if c["resolution"] == "unscr-1718" and c["obligation"] == "no-nuclear-test"
    )
    assert cell["status"] == "broken" and cell["breaches"][0]["date"] == "2009-05-25"
    assert data["notes"]  # launch data missing in an empty data dir
    r = _cli(capsys, tmp_path, "ledger", "compliance", "--agreements", "--csv")
    assert "Singapore Joint Statement" in r.out


def test_validate_reports_file_and_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    r = _cli(capsys, tmp_path, "ledger", "validate")
    assert r.code == 0 and r.out.startswith("ok: ")
    bad = tmp_path / "exercises.yaml"
    bad.write_text((FIXTURES / "bad_impossible_date.yaml").read_text())
    r = _cli(capsys, tmp_path, "ledger", "validate", str(bad))
    assert r.code == 2
    assert "error: exercises.yaml:line 10: `date`: impossible date 2018-02-30" in r.err


def test_claims_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    r = _cli(
        capsys,
        tmp_path,
        "claims",
        "--claim",
        "detainees-released",
        "--claim",
        "tests-around-pause",
        "--json",
    )
    assert r.code == 0, r.err
    data = json.loads(r.out)
    by_id = {c["id"]: c for c in data["claims"]}
    assert by_id["detainees-released"]["verdict"] == "supported"
    assert by_id["tests-around-pause"]["verdict"] == "pending"
    r = _cli(capsys, tmp_path, "claims", "--claim", "nope")
    assert r.code == 2 and "unknown claim 'nope'" in r.err
