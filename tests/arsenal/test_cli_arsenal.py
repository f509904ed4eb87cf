"""``dprkwatch arsenal``: end to end in-process."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from dprkwatch.arsenal import load_model
from tests.arsenal.factory import SIMPLE
from tests.factory import run_cli

DRAWS = ("--draws", "20000")


def test_increment_json_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "arsenal", "increment", "singapore", "hanoi", "--json", *DRAWS)
    assert r.code == 0, r.err
    got = orjson.loads(r.out)
    want = load_model(draws=20_000).increment("2018-06-12", "2019-02-28")
    assert (got["start"], got["end"], got["days"]) == ("2018-06-12", "2019-02-28", 261)
    assert got["median"] == pytest.approx(want.median) and got["high"] == pytest.approx(want.high)
    r = run_cli(capsys, "arsenal", "increment", "2018-06-12", "2019-07-02", *DRAWS)
    assert r.code == 0 and "2019-07-02" in r.out and "median" in r.out


def test_estimate_dates_band_and_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(
        capsys, "arsenal", "estimate", "2019-07-02", "singapore", "--material", "--json", *DRAWS
    )
    assert r.code == 0, r.err
    rows = orjson.loads(r.out)["rows"]
    assert [x["date"] for x in rows] == ["2019-07-02", "2018-06-12"]
    assert rows[0]["p05"] < rows[0]["median"] < rows[0]["p95"]
    assert rows[0]["heu_kg"]["p50"] > rows[1]["heu_kg"]["p50"]
    r = run_cli(capsys, "arsenal", "estimate", "--from", "2015", "--to", "2017", "--csv", *DRAWS)
    lines = r.out.strip().splitlines()
    assert (
        lines[0] == "date,p05,p25,p50,p75,p95"
        and len(lines) == 4
        and lines[1].startswith("2015-12-31,")
    )
    r = run_cli(
        capsys, "arsenal", "estimate", "--scenario", "rand-asan-2021", "2020", "2027", "--json"
    )
    got = orjson.loads(r.out)["rows"]
    assert [(x["low"], x["high"]) for x in got] == [(67, 116), (151, 242)]
    assert [x["extrapolated"] for x in got] == [False, False]
    r = run_cli(capsys, "arsenal", "estimate", "--scenario", "isis-2017", "--to", "2020")
    assert r.code == 0 and "25.0" in r.out and "50.0" in r.out
    assert "extrapolate" not in r.out.replace("extrapolated ", "")  # the column only
    r = run_cli(capsys, "arsenal", "estimate", "--scenario", "isis-2017", "--to", "2022")
    assert r.code == 0 and "Rows after 2020-12-31 extrapolate" in " ".join(r.out.split())
    r = run_cli(capsys, "arsenal", "increment", "2018", "2022", "--scenario", "isis-2017", "--json")
    assert orjson.loads(r.out)["extrapolated"] is True


def test_overrides_and_parameter_file(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(
        capsys,
        "arsenal",
        "estimate",
        "2012-12-31",
        "--params",
        str(SIMPLE),
        "--json",
        "--draws",
        "10",
    )
    assert orjson.loads(r.out)["rows"][0]["median"] == pytest.approx(18, rel=1e-5)
    r = run_cli(
        capsys,
        "arsenal",
        "estimate",
        "2012-12-31",
        "--params",
        str(SIMPLE),
        "--set",
        "conversion.utilisation=0.5",
        "--json",
        "--draws",
        "10",
    )
    assert orjson.loads(r.out)["rows"][0]["median"] == pytest.approx(9, rel=1e-5)


def test_compare_flags_outliers(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "arsenal", "compare", "--json", *DRAWS)
    assert r.code == 0, r.err
    rows = orjson.loads(r.out)
    by_id = {x["id"]: x for x in rows}
    assert by_id["rand-asan-2027"]["flagged"] and by_id["rand-asan-2027"]["assumption"]
    r = run_cli(capsys, "arsenal", "compare", "--outside", *DRAWS)
    assert "outside the band" in r.out and "rand-asan-2027" in r.out and "isis-2017 " not in r.out
    r = run_cli(capsys, "arsenal", "compare", "--csv", *DRAWS)
    assert r.out.splitlines()[0].startswith("id,date,kind,published,model p05-p95")


def test_plot_scenarios_parameters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "band.svg"
    r = run_cli(
        capsys,
        "arsenal",
        "plot",
        "-o",
        str(out),
        "--from",
        "2010",
        "--scenario",
        "isis-2017",
        "--draws",
        "5000",
    )
    assert r.code == 0, r.err
    assert "<svg" in out.read_text("utf-8")
    r = run_cli(capsys, "arsenal", "scenarios", "--json")
    scenarios = orjson.loads(r.out)
    assert all(c["reproduced"] for s in scenarios for c in s["checks"])
    r = run_cli(capsys, "arsenal", "scenarios")
    assert "rand-asan" in r.out and "NO" not in r.out
    r = run_cli(capsys, "arsenal", "parameters", "--json")
    params = orjson.loads(r.out)
    assert any(p["id"] == "enrichment.kangson.presence" for p in params["parameters"])
    assert params["events"]["hanoi"] == "2019-02-28"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("estimate", "2019-13-01"), 2, "error: date: cannot read '2019-13-01'"),
        (("estimate", "2045"), 2, "error: date: 2045-12-31 is outside the model's horizon"),
        (
            ("increment", "hanoi", "singapore"),
            2,
            "error: end: end (2018-06-12) is before start (2019-02-28)",
        ),
        (("increment", "singapore", "saigon"), 2, "error: end: cannot read 'saigon'"),
        (
            ("estimate", "--set", "conversion.pu_kg_per_weapn=5", "2019"),
            4,
            "error: unknown parameter 'conversion.pu_kg_per_weapn'",
        ),
        (
            ("estimate", "--set", "conversion.pu_kg_per_weapon=8..4", "2019"),
            2,
            "error: conversion.pu_kg_per_weapon: low (8) is above high (4)",
        ),
        (("estimate", "--set", "utilisation", "2019"), 2, "error: --set: expected NAME=VALUE"),
        (
            ("estimate", "--from", "2020", "--to", "2010"),
            2,
            "error: --to: --to (2010) is before --from (2020)",
        ),
        (("estimate", "--scenario", "rand-2099", "2020"), 4, "error: unknown scenario 'rand-2099'"),
        (("estimate", "--draws", "0", "2019"), 2, "error: draws: must be between 1"),
        (("plot", "-o", "band.gif"), 2, "unsupported plot format 'gif'"),
        (
            ("compare", "--estimates", "/nonexistent/est.csv"),
            2,
            "error: /nonexistent/est.csv: file not found",
        ),
    ],
)
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: int, message: str
) -> None:
    r = run_cli(capsys, "arsenal", *args)
    assert r.code == code, r.err
    assert message in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert "Traceback" not in r.err


def test_bad_parameter_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text(
        SIMPLE.read_text("utf-8").replace("value: 6, unit: kg/yr", "value: -6, unit: kg/yr"),
        "utf-8",
    )
    r = run_cli(capsys, "arsenal", "estimate", "2019", "--params", str(bad))
    assert r.code == 2
    assert r.err.strip() == "error: p.yaml:reactor.pu_kg_per_year: value (-6) must not be negative"


def test_variants_command_and_option(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "arsenal", "variants", "--at", "2030", "--json", *DRAWS)
    assert r.code == 0, r.err
    rows = {x["variant"]: x for x in orjson.loads(r.out)}
    assert {"default", "elwr-on", "four-sites", "four-sites-elwr-on"} <= set(rows)
    # More plutonium or more centrifuges can only add to the stock.
    assert rows["elwr-on"]["median"] > rows["default"]["median"]
    assert rows["four-sites"]["median"] > rows["default"]["median"]
    assert rows["four-sites-elwr-on"]["median"] > rows["four-sites"]["median"]
    # --variant NAME is the same model as its --set options; --set wins over it.
    by_variant = run_cli(
        capsys, "arsenal", "estimate", "2030", "--variant", "elwr-on", "--json", *DRAWS
    )
    by_set = run_cli(
        capsys, "arsenal", "estimate", "2030", "--set", "elwr.enabled=true", "--json", *DRAWS
    )
    assert orjson.loads(by_variant.out) == orjson.loads(by_set.out)
    undone = run_cli(
        capsys,
        "arsenal",
        "estimate",
        "2030",
        "--variant",
        "elwr-on",
        "--set",
        "elwr.enabled=false",
        "--json",
        *DRAWS,
    )
    plain = run_cli(capsys, "arsenal", "estimate", "2030", "--json", *DRAWS)
    assert orjson.loads(undone.out) == orjson.loads(plain.out)
    r = run_cli(capsys, "arsenal", "estimate", "2030", "--variant", "nope")
    assert r.code != 0 and "unknown variant 'nope'" in r.err and "\n" not in r.err.strip()
