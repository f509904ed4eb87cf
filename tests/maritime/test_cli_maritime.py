"""``dprkwatch maritime``: end to end in-process, happy paths and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.factory import run_cli
from tests.maritime.factory import FIXTURES, PORTS_CSV

CFG = ("--vessels", "40", "--days", "2", "--seed", "5")


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "synth"
    from dprkwatch.maritime.synthetic import SynthConfig, generate

    generate(SynthConfig.scaled(40, 2, seed=5)).write(folder)
    return folder


def test_ingest_detect_vessel(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, synth: Path
) -> None:
    home = str(tmp_path / "home")
    r = run_cli(
        capsys, "--data-dir", home, "maritime", "ingest", str(synth / "positions.parquet"), "--json"
    )
    assert r.code == 0, r.err
    report = orjson.loads(r.out)
    assert report["quality"]["rows_read"] == report["quality"]["positions_kept"] > 0
    out = tmp_path / "events.csv"
    r = run_cli(
        capsys,
        "--data-dir",
        home,
        "maritime",
        "detect",
        "--ports",
        str(synth / "ports.csv"),
        "--output",
        str(out),
        "--json",
    )
    assert r.code == 0, r.err
    info = orjson.loads(r.out)
    assert info["engine"] == "polars" and set(info["events"]) >= {
        "encounter",
        "port_call",
        "loitering",
    }
    assert out.read_text(encoding="utf-8").count("\n") == sum(info["events"].values()) + 1
    r = run_cli(capsys, "--data-dir", home, "lists", "import", str(synth / "designated.ftm.json"))
    assert r.code == 0, r.err
    r = run_cli(capsys, "--data-dir", home, "maritime", "vessel", "--json", "--top", "5")
    ranked = orjson.loads(r.out)
    assert r.code == 0 and ranked["algorithm"] == "maritime-risk-v1" and len(ranked["vessels"]) == 5
    top = ranked["vessels"][0]
    assert top["score"] == 100.0 and top["designated"]
    r = run_cli(capsys, "--data-dir", home, "maritime", "vessel", str(top["mmsi"]), "--exact")
    assert r.code == 0 and "designated_imo" in r.out and "Identity" in r.out
    r = run_cli(
        capsys,
        "--data-dir",
        home,
        "maritime",
        "vessel",
        f"IMO{top['imos'][0]}",
        "--json",
        "--exact",
    )
    assert orjson.loads(r.out)["vessels"][0]["mmsi"] == top["mmsi"]
    r = run_cli(capsys, "--data-dir", home, "maritime", "vessel", "999999999")
    assert (
        r.code == 4 and "error: no vessel with mmsi '999999999' in the last detection run" in r.err
    )
    r = run_cli(capsys, "--data-dir", home, "maritime", "status", "--json")
    status = orjson.loads(r.out)
    assert (
        status["positions"] == report["quality"]["positions_kept"]
        and status["last_detection"]["events"]
    )


def test_detect_input_file_without_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "events.geojson"
    r = run_cli(
        capsys,
        "--data-dir",
        str(tmp_path / "home"),
        "maritime",
        "detect",
        "--input",
        str(FIXTURES / "positions_bad.csv"),
        "--ports",
        str(PORTS_CSV),
        "-o",
        str(out),
    )
    assert r.code == 0, r.err
    assert "skipped" in r.err and "malformed_row" in r.out  # quality summary shown
    assert orjson.loads(out.read_bytes())["type"] == "FeatureCollection"
    assert not list((tmp_path / "home" / "maritime").glob(".input-*"))


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (("maritime", "ingest", "nope.csv"), "error: nope.csv: file not found", 2),
        (
            ("maritime", "detect", "--set", "slow_knots=fast"),
            "error: --set:slow_knots: expected a number",
            2,
        ),
        (
            ("maritime", "detect", "--ports", str(FIXTURES / "ports_no_columns.csv")),
            ":header: expected columns",
            2,
        ),
        (("maritime", "detect", "-o", "x.txt"), "x.txt:--output: unknown output type '.txt'", 2),
        (("maritime", "detect", "--ports", str(PORTS_CSV)), "error: no positions ingested yet", 4),
        (
            (
                "maritime",
                "detect",
                "--engine",
                "duck",
                "--ports",
                str(PORTS_CSV),
                "--input",
                str(FIXTURES / "positions_bad.csv"),
            ),
            "error: unknown engine 'duck'",
            3,
        ),
        (("maritime", "vessel"), "error: no detection run yet", 4),
        (("maritime", "synth", "x", "--vessels", "0"), "must be at least 1", 2),
    ],
)
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: tuple[str, ...],
    message: str,
    code: int,
) -> None:
    r = run_cli(capsys, "--data-dir", str(tmp_path / "home"), *args)
    assert r.code == code, (r.out, r.err)
    lines = [line for line in r.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0], r.err
    assert "Traceback" not in r.err


def test_rules_listing(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "maritime", "rules", "--json")
    rows = orjson.loads(r.out)
    assert r.code == 0 and {"name": "encounter_max_km", "default": 0.5}.items() <= rows[4].items()


def test_default_ports_come_from_the_shared_folder_or_the_bundled_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = str(tmp_path / "home")
    r = run_cli(
        capsys, "--data-dir", home, "maritime", "ingest", str(FIXTURES / "positions_bad.csv")
    )
    assert r.code == 0, r.err
    monkeypatch.setenv("DPRKWATCH_SHARED_DATA", str(tmp_path / "absent"))
    r = run_cli(capsys, "--data-dir", home, "maritime", "detect", "--json")
    assert r.code == 0 and "only the bundled DPRK ports are known" in r.err
    assert orjson.loads(r.out)["ports"]["sources"] == ["bundled DPRK ports"]
    shared = tmp_path / "shared"
    (shared / "ais" / "ports").mkdir(parents=True)
    (shared / "ais" / "ports" / "WPI_ports.csv").write_bytes(
        (FIXTURES / "wpi_ports.csv").read_bytes()
    )
    monkeypatch.setenv("DPRKWATCH_SHARED_DATA", str(shared))
    r = run_cli(capsys, "--data-dir", home, "maritime", "detect", "--json")
    info = orjson.loads(r.out)
    assert (
        r.code == 0
        and info["ports"]["sources"][0].endswith("WPI_ports.csv")
        and "bundled" not in r.err
    )


def test_stale_input_stores_are_removed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import os

    root = tmp_path / "home" / "maritime"
    stale, fresh = root / ".input-old", root / ".input-new"
    stale.mkdir(parents=True)
    fresh.mkdir()
    os.utime(stale, (0, 0))
    r = run_cli(
        capsys,
        "--data-dir",
        str(tmp_path / "home"),
        "maritime",
        "detect",
        "--input",
        str(FIXTURES / "positions_bad.csv"),
        "--ports",
        str(PORTS_CSV),
    )
    assert r.code == 0, r.err
    assert not stale.exists() and fresh.exists()


@pytest.mark.parametrize(
    "fixture", ["marinecadastre.csv", "dma.csv", "tagblock.nmea", "positions_bad.csv"]
)
def test_detect_input_reads_every_layout(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fixture: str
) -> None:
    home = str(tmp_path / "home")
    r = run_cli(
        capsys,
        "--data-dir",
        home,
        "maritime",
        "detect",
        "--input",
        str(FIXTURES / fixture),
        "--ports",
        str(PORTS_CSV),
        "--json",
    )
    assert r.code == 0, r.err
    info = orjson.loads(r.out)
    assert info["positions"] > 0 and info["engine"] == "polars"
    assert not list((tmp_path / "home" / "maritime").glob(".input-*"))


def test_evidence_for_an_event(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from tests.maritime.factory import SEA, T0, frame, offset, stay

    rows = stay(412000001, T0, 5.0, SEA) + stay(412000002, T0, 5.0, offset(SEA, east_km=0.2))
    data = tmp_path / "meet.parquet"
    frame(rows).sort("timestamp").write_parquet(data)
    home = str(tmp_path / "home")
    out = tmp_path / "events.csv"
    args = ("--data-dir", home, "maritime")
    r = run_cli(capsys, *args, "detect", "-i", str(data), "--ports", str(PORTS_CSV), "-o", str(out))
    assert r.code == 0, r.err
    import polars as pl

    events = pl.read_csv(out)
    enc = events.filter(pl.col("event_type") == "encounter")["event_id"][0]
    folder = tmp_path / "evidence"
    r = run_cli(capsys, *args, "evidence", enc, "-o", str(folder), "-i", str(data), "--json")
    assert r.code == 0, r.err
    (written,) = orjson.loads(r.out)
    assert written["positions"] == len(rows)
    assert (folder / f"{enc}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    doc = orjson.loads((folder / f"{enc}.geojson").read_bytes())
    assert [f["properties"]["kind"] for f in doc["features"]] == ["track", "track", "event"]
    assert "<kml" in (folder / f"{enc}.kml").read_text(encoding="utf-8")
    r = run_cli(capsys, *args, "evidence", "000000000000", "-i", str(data))
    assert r.code == 4 and "no event 000000000000 in the last detection run" in r.err
    # without --input the store has no positions of that run
    r = run_cli(capsys, *args, "evidence", enc, "-o", str(folder))
    assert r.code == 2 and "no positions of mmsi 412000001, 412000002" in r.err


def _detect_json_args(tmp_path: Path) -> list[str]:
    """``maritime detect --input`` on a small real layout, as a fresh interpreter runs it."""
    return [
        "--data-dir",
        str(tmp_path / "home"),
        "maritime",
        "detect",
        "--input",
        str(FIXTURES / "marinecadastre.csv"),
        "--ports",
        str(PORTS_CSV),
        "--json",
    ]


def test_detect_starts_without_rich_or_yaml(tmp_path: Path) -> None:
    """``detect --input ... --json`` is timed end to end: what it does not print, it does not import.

    A fresh interpreter runs the command on a real file layout; Rich (tables and
    progress bars) and YAML (rules files) are imported only by what uses them.
    """
    code = (
        "import sys\n"
        "from dprkwatch.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in ('rich', 'yaml') if m in sys.modules), file=sys.stderr)\n"
    )
    args = _detect_json_args(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert orjson.loads(done.stdout)["positions"] > 0
    assert done.stderr.strip().splitlines()[-1] == "[]"


_WATCH_POLARS = (
    "import importlib.abc, os, sys\n"
    "seen = []\n"
    "class Watch(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path, target=None):\n"
    "        if name == 'polars' and not seen:\n"
    "            seen.append(os.environ.get('_RJEM_MALLOC_CONF'))\n"
    "        return None\n"
    "sys.meta_path.insert(0, Watch())\n"
    "from dprkwatch.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    assert not exc.code, exc.code\n"
    "print(repr(seen), file=sys.stderr)\n"
)


@pytest.mark.parametrize("user_value", [None, "dirty_decay_ms:0"])
def test_detect_sets_polars_allocator_before_polars_loads(
    tmp_path: Path, user_value: str | None
) -> None:
    """Polars' allocator reads its options at its first allocation: ``maritime detect`` sets
    them before Polars is imported (freed pages kept a few seconds), and keeps the user's own."""
    from dprkwatch.cli.allocator import POLARS_MALLOC_CONF

    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if user_value is not None:
        env["_RJEM_MALLOC_CONF"] = user_value
    args = _detect_json_args(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _WATCH_POLARS, *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert orjson.loads(done.stdout)["positions"] > 0
    expected = POLARS_MALLOC_CONF if user_value is None else user_value
    assert done.stderr.strip().splitlines()[-1] == repr([expected])
