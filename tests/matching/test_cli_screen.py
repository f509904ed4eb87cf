"""``dprkwatch screen``: one name as a table or JSON, files in batch, clean errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dprkwatch.lists import SnapshotStore
from tests.factory import run_cli


def home_of(store: SnapshotStore) -> str:
    return str(store.home)


def test_screen_one_name_prints_a_table(
    capsys: pytest.CaptureFixture[str], sample_store: SnapshotStore
) -> None:
    res = run_cli(
        capsys,
        "--data-dir",
        home_of(sample_store),
        "screen",
        "Lee Soo-yong",
        "--schema",
        "Person",
        "--nationality",
        "kp",
    )
    assert res.code == 0, res.err
    assert "us-1002" in res.out and "MATCH" in res.out
    assert "dprkwatch-match-v2" in res.out


def test_screen_json_and_scope(
    capsys: pytest.CaptureFixture[str], sample_store: SnapshotStore
) -> None:
    res = run_cli(
        capsys,
        "--data-dir",
        home_of(sample_store),
        "screen",
        "리수용",
        "--list",
        "ftm_eu_sample",
        "--json",
    )
    assert res.code == 0, res.err
    data = json.loads(res.out)
    assert [m["entity_id"] for m in data] == ["eu-13"]
    assert data[0]["match"] is True and data[0]["explanation"]
    res = run_cli(
        capsys,
        "--data-dir",
        home_of(sample_store),
        "screen",
        "Vladimir Putin",
        "--dprk-only",
        "--json",
    )
    assert json.loads(res.out) == []


def test_screen_by_imo_only(
    capsys: pytest.CaptureFixture[str], sample_store: SnapshotStore
) -> None:
    res = run_cli(
        capsys,
        "--data-dir",
        home_of(sample_store),
        "screen",
        "--schema",
        "Vessel",
        "--imo",
        "IMO 8660313",
        "--json",
    )
    assert res.code == 0, res.err
    assert json.loads(res.out)[0]["entity_id"] == "us-1007"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("screen", "x" * 10_240), "too long"),
        (("screen", ""), "needs a name or an identifier"),
        (("screen", "Ri Su Yong", "--schema", "Persn"), "unknown schema 'Persn'"),
        (("screen", "Ri Su Yong", "--birth-date", "1940/01/01"), "birthDate"),
        (("screen", "--input", "in.csv"), "needs both --input and --output"),
        (("screen", "Ri", "--algorithm", "nope-v9"), "unknown matching algorithm"),
    ],
)
def test_screen_errors_are_one_line(
    capsys: pytest.CaptureFixture[str],
    sample_store: SnapshotStore,
    args: tuple[str, ...],
    fragment: str,
) -> None:
    res = run_cli(capsys, "--data-dir", home_of(sample_store), *args)
    assert res.code != 0
    assert res.err.startswith("error: ")
    assert fragment in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert "Traceback" not in res.err


def test_screen_without_lists(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    res = run_cli(capsys, "--data-dir", str(tmp_path / "empty"), "screen", "Ri Su Yong")
    assert res.code == 4
    assert "no lists are active" in res.err


def test_batch_from_the_command_line(
    capsys: pytest.CaptureFixture[str], sample_store: SnapshotStore, tmp_path: Path
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "id,schema,name,imo\na,Person,Kim Jong-un,\nb,Vessel,,8660313\nc,Robot,R2D2,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    res = run_cli(
        capsys, "--data-dir", home_of(sample_store), "screen", "--input", str(src), "--output", str(out),
        "--top", "1", "--threshold", "0.9", "--json",
    )  # fmt: skip
    assert res.code == 0, res.err
    report = json.loads(res.out)
    assert report["rows"] == 3 and report["errors"] == 1 and report["matched"] == 2
    assert report["threshold"] == 0.9
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["query_id"], r["entity_id"]) for r in rows] == [
        ("a", "us-1001"),
        ("b", "us-1007"),
        ("c", ""),
    ]
    assert "unknown schema 'Robot'" in rows[2]["error"]


def test_batch_unreadable_file_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], sample_store: SnapshotStore, tmp_path: Path
) -> None:
    src = tmp_path / "in.csv"
    src.write_text("foo,bar\n1,2\n", encoding="utf-8")
    res = run_cli(
        capsys,
        "--data-dir",
        home_of(sample_store),
        "screen",
        "-i",
        str(src),
        "-o",
        str(tmp_path / "o.csv"),
    )
    assert res.code == 2
    assert res.err.startswith(f"error: {src}: no usable column")
    assert not (tmp_path / "o.csv").exists()
