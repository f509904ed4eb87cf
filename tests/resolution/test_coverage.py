"""``dprkwatch lists coverage``: the implementation record on small hand-written lists."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import orjson
import pytest

from dprkwatch.lists.snapshot import SnapshotStore
from dprkwatch.resolution import ResolutionStore, run
from dprkwatch.resolution.coverage import report
from tests.factory import run_cli
from tests.resolution.factory import RI_SU_YONG, write_lists


def _two_versions(home: Path) -> None:
    write_lists(home)
    run(home, workers=1)
    later = {k: list(v) for k, v in RI_SU_YONG.items()}
    later["ofac"] = [r for r in later["ofac"] if r[0] != "9347"]  # OFAC delists Ryonbong
    write_lists(home, later, published="2024-02-01")
    run(home, workers=1)


def _row(rep: dict[str, Any], listing: str) -> dict[str, Any]:
    return next(r for r in rep["rows"] if any(
        listing in p["listings"] for p in r["presence"].values()
    ))  # fmt: skip


def test_lags_precision_and_delistings(tmp_path: Path) -> None:
    _two_versions(tmp_path)
    rep = report(ResolutionStore(tmp_path).load(), SnapshotStore(tmp_path))
    ri = _row(rep, "ofac-21735")
    assert sorted(ri["presence"]) == ["eu", "ofac", "uk", "un"]
    assert ri["presence"]["un"]["since"] == "2017-06-02"
    assert ri["presence"]["un"]["precision"] == "day"
    # OFAC's files carry no designation date: the oldest version's date, as an upper bound.
    assert ri["presence"]["ofac"]["precision"] == "on_or_before"
    assert ri["presence"]["ofac"]["since"] == "2024-01-01"
    assert "nationality" in ri["dprk_evidence"]
    follow = next(f for f in rep["un_follow_up"] if f["target"] == ri["target"])
    assert follow["eu"] == {
        "listed": True, "since": "2017-06-09", "precision": "day", "lag_days": 7,
        "lag_bound": False, "active": True, "delisted": None,
    }  # fmt: skip
    assert follow["uk"]["lag_days"] == 0 and follow["ofac"]["lag_bound"] is True
    lag = rep["un_lag"]["eu"]
    assert lag["lag_exact"] >= 1 and lag["median_days"] is not None
    ryonbong = _row(rep, "un-KPe.001")
    assert ryonbong["presence"]["ofac"]["active"] is False
    assert ryonbong["presence"]["ofac"]["delisted"] == "2024-02-01"
    assert ryonbong["presence"]["ofac"]["last_listed"] == "2024-01-01"
    assert ryonbong["target"] in rep["un_lag"]["eu"]["missing_targets"]
    gone = [d for d in rep["delistings"] if d["target"] == ryonbong["target"]]
    assert gone and gone[0]["publisher"] == "ofac" and gone[0]["others"]["un"]["active"] is True


def test_cli_table_json_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _two_versions(tmp_path)
    home = str(tmp_path)
    r = run_cli(capsys, "--data-dir", home, "lists", "coverage")
    assert r.code == 0, r.err
    assert "UN designations" in r.out and "median" in r.out and "eu" in r.out
    r = run_cli(capsys, "--data-dir", home, "lists", "coverage", "--json")
    data = orjson.loads(r.out)
    assert data["targets"] == len(data["rows"]) >= 2
    r = run_cli(capsys, "--data-dir", home, "lists", "coverage", "--csv")
    rows = list(csv.DictReader(io.StringIO(r.out)))
    ri = next(x for x in rows if "ofac-21735" in x["ofac_listings"])
    assert ri["eu_lag_days"] == "7" and ri["eu_lag_bound"] == "no"
    assert ri["ofac_precision"] == "on_or_before"


def test_cli_without_resolution_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_lists(tmp_path)
    r = run_cli(capsys, "--data-dir", str(tmp_path), "lists", "coverage")
    assert r.code != 0 and "resolve run" in r.err and r.err.strip().count("\n") == 0


def test_plot_is_written_and_a_bad_suffix_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_versions(tmp_path)
    home = str(tmp_path)
    out = tmp_path / "lags.png"
    r = run_cli(capsys, "--data-dir", home, "lists", "coverage", "--plot", str(out))
    assert r.code == 0, r.err
    assert out.read_bytes().startswith(b"\x89PNG")
    bad = tmp_path / "lags.gif"
    r = run_cli(capsys, "--data-dir", home, "lists", "coverage", "--plot", str(bad))
    assert r.code != 0 and "unsupported plot format" in r.err and not bad.exists()
