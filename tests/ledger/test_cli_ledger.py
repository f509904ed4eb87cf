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
    envelope = json.loads(r.out)
    assert envelope["kind"] == "timeline" and envelope["count"] == len(envelope["rows"])
    rows = envelope["rows"]
    assert [(e["date"], e["end_date"]) for e in rows if "Hanoi" in e["title"]] == [
        ("2019-02-27", "2019-02-28")
    ]
    assert {e["kind"] for e in rows} == {"summit"}
    assert all("2018" <= e["date"] < "2020" for e in rows)
    assert "Singapore summit (Trump and Kim Jong Un)" in {e["title"] for e in rows}
    assert all(e["citations"] for e in rows)
    for c in rows[0]["citations"]:
        assert set(c) >= {"title", "publisher", "date", "url"}
    assert all(e["clock"] == "local" for e in rows)


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
    assert r.code == 2 and "is after" in r.err and "\n" not in r.err.strip()


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
    assert sorted(m["name"] for m in json.loads(r.out)["rows"]) == ["cns", "ofac-first-seen"]
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
    assert [e["date"] for e in json.loads(r.out)["rows"]] == [
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
    assert data["meta"]["baseline"]["ofac"]["count"] == 1
    assert "n/a" in data["legend"]


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
    assert ("refined petroleum products", "500000", "barrels per year") in {
        (x["subject"], x["quantity"], x["unit"]) for x in rows
    }
    assert all("undocs.org" in x["citations"] for x in rows)
    r = _cli(capsys, tmp_path, "ledger", "resolutions", "--measures", "--kind", "cap", "--json")
    quantities = [x["quantity"] for x in json.loads(r.out)["rows"]]
    assert 500000 in quantities and all(isinstance(q, int | float) for q in quantities)
    r = _cli(
        capsys, tmp_path, "ledger", "agreements", "--party", "DPRK", "--status", "kept", "--json"
    )
    rows = json.loads(r.out)["rows"]
    assert {x["commitment"] for x in rows} >= {"singapore-2018/remains-identified"}
    assert all(x["citations"] for x in rows)
    r = _cli(capsys, tmp_path, "ledger", "agreements", "--status", "maybe")
    assert r.code == 2 and "unknown status 'maybe'" in r.err


def test_compliance_table_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    r = _cli(capsys, tmp_path, "ledger", "compliance", "--json")
    data = json.loads(r.out)
    cell = next(
        c
        for c in data["rows"]
        if c["resolution_id"] == "unscr-1718" and c["obligation"] == "no-nuclear-test"
    )
    assert cell["status"] == "broken" and cell["breaches"][0]["date"] == "2009-05-25"
    assert cell["citations"] and cell["breaches"][0]["citations"]
    assert data["notes"]  # launch data missing in an empty data dir
    assert "(+N)" in data["legend"]
    talks = next(
        c
        for c in data["rows"]
        if c["resolution_id"] == "unscr-1718" and c["obligation"] == "return-six-party-talks"
    )
    assert talks["force"] == "calls-upon" and not talks["binding"]
    # The table keeps the bracketed wording (Rich would otherwise eat it as markup).
    r = _cli(capsys, tmp_path, "ledger", "compliance")
    assert "[calls-upon]" in r.out and "(+N)" in r.out
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
        "test-moratoria",
        "--today",
        "2019-07-02",
        "--json",
    )
    assert r.code == 0, r.err
    data = json.loads(r.out)
    by_id = {c["id"]: c for c in data["rows"]}
    assert by_id["detainees-released"]["at_time"]["verdict"] == "supported"
    assert by_id["detainees-released"]["today"]["as_of"] == "2019-07-02"
    assert by_id["test-moratoria"]["today"]["verdict"] == "pending"  # no launch data imported
    evidence = by_id["detainees-released"]["at_time"]["evidence"]
    assert evidence and all(f["citations"] for f in evidence)
    r = _cli(capsys, tmp_path, "claims", "--claim", "nope")
    assert r.code == 2 and "unknown claim 'nope'" in r.err
