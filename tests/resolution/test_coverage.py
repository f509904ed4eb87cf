"""``dprkwatch lists coverage``: the implementation record on small hand-written lists."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import orjson
import pytest

from dprkwatch.ledger.model import SanctionsAction
from dprkwatch.lists.history import Designation
from dprkwatch.lists.snapshot import SnapshotStore
from dprkwatch.resolution import ResolutionStore, coverage, run
from dprkwatch.resolution.coverage import ofac_dating, report
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


def _designation(eid: str, date: str, basis: str, list_name: str = "ofac") -> Designation:
    return Designation(list_name, eid, "Person", eid, (), True, date, basis)


def _action(day: str, *named: str, authority: str = "OFAC") -> SanctionsAction:
    return SanctionsAction.model_validate(
        {
            "id": f"ofac-{day}",
            "date": day,
            "authority": authority,
            "title": "test action",
            "sources": ["test"],
            "confidence": "verified",
            "designated": [{"ofac": n, "name": f"NAME {n}"} for n in named],
        }
    )


def test_ofac_dating_uses_actions_and_daily_history_only_where_they_agree() -> None:
    dated = [
        _designation("ofac-1", "2019-01", "on_or_before"),
        _designation("ofac-2", "2024-05-03", "first_seen"),
        _designation("ofac-3", "2024-05-03", "first_seen"),
        _designation("ofac-4", "2019-01", "on_or_before"),
        _designation("un-KPi.001", "2016-03-02", "listed", "un"),
    ]
    daily = [
        _designation("ofac-2", "2022-05-27", "first_seen"),  # inside its window: used
        _designation("ofac-3", "2024-06-01", "first_seen"),  # after the version holding it
        _designation("ofac-4", "2021-08-18", "on_or_before"),  # says nothing new
    ]
    actions = [
        _action("2018-12-10", "1", "99"),  # 99 is in no stored version
        _action("2022-05-26", "2"),  # the day before it was seen: a day beats the daily date
        _action("2020-01-01", "4"),  # later than the oldest version holding it
        _action("2016-03-02", "5", authority="UN"),  # not OFAC's: ignored
    ]
    out, counts = ofac_dating(dated, daily, actions)
    by_id = {d.entity_id: d for d in out}
    assert (by_id["ofac-1"].date, by_id["ofac-1"].basis) == ("2018-12-10", "action")
    assert (by_id["ofac-2"].date, by_id["ofac-2"].basis) == ("2022-05-26", "action")
    assert (by_id["ofac-3"].date, by_id["ofac-3"].basis) == ("2024-05-03", "first_seen")
    assert (by_id["ofac-4"].date, by_id["ofac-4"].basis) == ("2019-01", "on_or_before")
    assert by_id["un-KPi.001"] == dated[4]
    assert counts == {
        "daily": 1, "daily_conflict": 1, "action": 2, "action_conflict": 1, "action_unlisted": 1,
    }  # fmt: skip


def test_an_action_naming_a_listing_dates_it_to_the_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_lists(tmp_path)
    run(tmp_path, workers=1)
    monkeypatch.setattr(
        coverage, "ledger_dating", lambda store: ([], [_action("2017-06-08", "21735")])
    )
    rep = report(ResolutionStore(tmp_path).load(), SnapshotStore(tmp_path))
    ri = _row(rep, "ofac-21735")
    assert ri["presence"]["ofac"]["since"] == "2017-06-08"
    assert ri["presence"]["ofac"]["precision"] == "day"
    follow = next(f for f in rep["un_follow_up"] if f["target"] == ri["target"])
    assert follow["ofac"]["lag_days"] == 6 and follow["ofac"]["lag_bound"] is False
    assert rep["ofac_dating"]["action"] == 1 and rep["precision"]["day"] >= 4
    r = run_cli(capsys, "--data-dir", str(tmp_path), "lists", "coverage", "--csv")
    assert r.code == 0, r.err
    row = next(x for x in csv.DictReader(io.StringIO(r.out)) if "ofac-21735" in x["ofac_listings"])
    assert (row["ofac_since"], row["ofac_precision"], row["ofac_lag_bound"]) == (
        "2017-06-08", "day", "no",
    )  # fmt: skip
