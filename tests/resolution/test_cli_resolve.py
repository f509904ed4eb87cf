"""``dprkwatch resolve`` end to end in-process: run, show, review, decide, judgements."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest

from tests.factory import run_cli
from tests.resolution.factory import write_lists


def test_run_show_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_lists(tmp_path)
    home = str(tmp_path)
    r = run_cli(capsys, "--data-dir", home, "resolve", "show", "ofac-21735")
    assert r.code == 4 and "resolve run" in r.err and r.err.count("\n") == 1
    r = run_cli(capsys, "--data-dir", home, "resolve", "run", "--json")
    assert r.code == 0, r.err
    stats = orjson.loads(r.out)
    assert stats["listings"] == 10 and stats["multi_list_targets"] == 3
    r = run_cli(capsys, "--data-dir", home, "resolve", "show", "ofac-21735", "--json")
    target = orjson.loads(r.out)
    assert sorted(target["referents"]) == ["eu-112358", "ofac-21735", "uk-DPR0268", "un-KPi.052"]
    r = run_cli(capsys, "--data-dir", home, "resolve", "show", target["id"])
    assert r.code == 0 and "RI SU YONG" in r.out
    r = run_cli(capsys, "--data-dir", home, "resolve", "status", "--json")
    assert orjson.loads(r.out)["dprk_evidence"]["programme"] >= 3
    r = run_cli(capsys, "--data-dir", home, "resolve", "show", "nobody")
    assert r.code == 4 and "no target or listing with id 'nobody'" in r.err


def test_interactive_review_records_decisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_lists(tmp_path)
    home = str(tmp_path)
    assert run_cli(capsys, "--data-dir", home, "resolve", "run").code == 0
    r = run_cli(capsys, "--data-dir", home, "resolve", "review", "--json")
    queue = orjson.loads(r.out)
    assert queue["total"] == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("d\nq\n"))
    r = run_cli(capsys, "--data-dir", home, "resolve", "review", "--user", "tester")
    assert r.code == 0, r.err
    assert "1 decision(s) recorded" in r.out
    r = run_cli(capsys, "--data-dir", home, "resolve", "judgements", "--json")
    rows = orjson.loads(r.out)
    assert len(rows) == 1 and rows[0]["decision"] == "different" and rows[0]["user"] == "tester"
    r = run_cli(capsys, "--data-dir", home, "resolve", "review", "--list")
    assert "1 pair(s) in the queue" in r.out


def test_decide_refuses_contradictions_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_lists(tmp_path)
    home = str(tmp_path)
    run_cli(capsys, "--data-dir", home, "resolve", "run")
    base = ["--data-dir", home, "resolve", "decide"]
    assert run_cli(capsys, *base, "eu-105411", "ofac-19498", "same").code == 0
    assert run_cli(capsys, *base, "ofac-19498", "un-KPi.013", "same").code == 0
    r = run_cli(capsys, *base, "eu-105411", "un-KPi.013", "different")
    assert r.code == 2
    assert r.err.count("\n") == 1
    assert "eu-105411" in r.err and "ofac-19498" in r.err and "un-KPi.013" in r.err
