"""Spark screening gives the local engine's rows, row for row, and refuses bad input early."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from dprkwatch import durable
from dprkwatch.lists import SnapshotStore
from dprkwatch.matching import Screener
from dprkwatch.matching.batch import screen_file
from dprkwatch.service import recorded
from tests.factory import run_cli
from tests.spark.conftest import SUBJECTS, sort_rows, synthetic_subjects, write_subjects

pytestmark = pytest.mark.spark


def local_rows(screener: Screener, input_path: Path, out: Path, **kw: Any) -> list[dict[str, Any]]:
    screen_file(screener, input_path, out, **kw)
    return sort_rows(pq.read_table(out).to_pylist())


def test_dataframe_api_gives_the_local_rows(spark: Any, screener: Screener, tmp_path: Path) -> None:
    from dprkwatch.spark import ShippedIndex, screen

    rows = SUBJECTS + synthetic_subjects(screener, 400)
    src = write_subjects(tmp_path / "subjects.csv", rows)
    expected = local_rows(screener, src, tmp_path / "local.parquet", top=3)
    df = spark.read.option("header", "true").option("escape", '"').csv(str(src))
    # "files" twice: a file shipped for an earlier screen of the session stays valid.
    for ship in ("files", "broadcast", "files"):
        with ShippedIndex(spark, screener, ship) as index:
            got = sort_rows([r.asDict() for r in screen(df, index, top=3).collect()])
        assert len(got) == len(expected) > len(rows)
        assert got == expected, ship
    assert sum(1 for r in expected if r["match"]) > 50, "the subjects must meet listed names"
    assert sum(1 for r in expected if r["error"]) >= 2, "and include rows the screen refuses"


def test_cli_spark_engine_writes_what_the_local_engine_writes(
    spark: Any,
    sample_store: SnapshotStore,
    screener: Screener,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    src = write_subjects(tmp_path / "subjects.csv", SUBJECTS + synthetic_subjects(screener, 60))
    home = str(sample_store.home)
    local = run_cli(capsys, "--data-dir", home, "screen", "--input", str(src),
                    "--output", str(tmp_path / "local.parquet"))  # fmt: skip
    assert local.code == 0, local.err
    out = tmp_path / "spark.parquet"
    res = run_cli(capsys, "--data-dir", home, "screen", "--engine", "spark", "--input", str(src),
                  "--output", str(out))  # fmt: skip
    assert res.code == 0, res.err
    assert f"screened {len(SUBJECTS) + 60} rows on Spark" in res.out
    expected = sort_rows(pq.read_table(tmp_path / "local.parquet").to_pylist())
    assert sort_rows(pq.read_table(out).to_pylist()) == expected
    assert (out / "_dprkwatch.json").is_file()
    assert not list(tmp_path.glob("spark.parquet.tmp-*")), "no temporary output is left"
    # Recorded in the audit log like the local engine's batch (F10), the output folder hashed.
    exported = run_cli(capsys, "--data-dir", home, "audit", "export", "-f", "jsonl")
    assert exported.code == 0, exported.err
    batches = [json.loads(line) for line in exported.out.splitlines()]
    spark_batch = [r for r in batches if r["kind"] == "screening.batch"
                   and r["payload"].get("engine") == "spark"
                   and r["payload"]["output"]["name"] == "spark.parquet"]  # fmt: skip
    assert len(spark_batch) == 1, batches
    payload = spark_batch[0]["payload"]
    assert payload["rows"] == len(SUBJECTS) + 60 and spark_batch[0]["actor"] == "cli"
    assert payload["input"]["sha256"] == durable.sha256_file(src)[0]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert payload["output"]["files"] == len(files)
    assert payload["output"]["bytes"] == sum(p.stat().st_size for p in files)
    assert payload["output"]["sha256"] == recorded.described(out)["sha256"]
    assert payload["versions"] == sample_store.active_versions()
    (out / "_dprkwatch.json").write_text("{}")  # the digest covers every file of the folder
    assert recorded.described(out)["sha256"] != payload["output"]["sha256"]


def test_csv_output_round_trips(
    spark: Any, sample_store: SnapshotStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_subjects(tmp_path / "subjects.csv", SUBJECTS)
    out = tmp_path / "hits.csv"
    res = run_cli(capsys, "--data-dir", str(sample_store.home), "screen", "--engine", "spark",
                  "--input", str(src), "--output", str(out), "--json")  # fmt: skip
    assert res.code == 0, res.err
    assert '"rows": 15' in res.out and '"index_bytes"' in res.out
    from dprkwatch.spark import paths

    back = sort_rows([r.asDict() for r in paths.read_hits(spark, str(out), "csv").collect()])
    s6 = [r for r in back if r["query_id"] == "s6"]
    assert s6[0]["entity_id"] == "us-1007" and s6[0]["match"] is True and s6[0]["rank"] == 1


def test_a_bad_row_is_reported_and_the_job_goes_on(spark: Any, screener: Screener) -> None:
    from dprkwatch.spark import ShippedIndex, screen

    df = spark.createDataFrame(
        [("a", None), ("b", "Kim Jong Un"), (None, "Ri Su Yong"), ("c", "   ")],
        "id string, name string",
    )
    with ShippedIndex(spark, screener) as index:
        got = {r["query_id"]: r for r in screen(df, index, top=1).collect()}
    assert got["b"]["entity_id"] == "us-1001" and got["b"]["error"] is None
    assert "name" in got["a"]["error"] and "name" in got["c"]["error"]
    assert got[""]["error"].startswith("empty id")


@pytest.mark.parametrize(
    ("schema", "rows", "message"),
    [
        ("name string", [("x",)], "no 'id' column"),
        ("id string, name int", [("a", 1)], "name: column of type integer; expected string"),
        ("id string, name array<int>", [("a", [1])], "expected string or array<string>"),
        ("id string, imo map<string,string>", [("a", {"k": "v"})], "imo: column of type map"),
        ("id string, comment string", [("a", "x")], "name"),
    ],
)
def test_unusable_columns_are_refused_before_any_job(
    spark: Any, screener: Screener, schema: str, rows: list[tuple[Any, ...]], message: str
) -> None:
    from dprkwatch.spark import ShippedIndex, SparkInputError, screen

    df = spark.createDataFrame(rows, schema)
    with ShippedIndex(spark, screener) as index, pytest.raises(SparkInputError, match=message):
        screen(df, index)


def test_paths_are_checked_before_any_job(
    spark: Any, sample_store: SnapshotStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_subjects(tmp_path / "subjects.csv", SUBJECTS[:2])
    (tmp_path / "taken.parquet").mkdir()
    home = str(sample_store.home)
    cases = [
        (str(tmp_path / "missing.csv"), str(tmp_path / "o.parquet"), "no such file or directory"),
        (str(src), str(tmp_path / "taken.parquet"), "already exists"),
        (str(src), str(src), "would overwrite the input"),
        (str(src), str(tmp_path / "o.xlsx"), "cannot tell the format"),
    ]
    for inp, out, message in cases:
        res = run_cli(capsys, "--data-dir", home, "screen", "--engine", "spark",
                      "--input", inp, "--output", out)  # fmt: skip
        assert res.code == 2, res.err
        assert message in res.err and len(res.err.strip().splitlines()) == 1, res.err
    assert list((tmp_path / "taken.parquet").iterdir()) == [], "an existing output is untouched"


def test_no_active_lists_stops_before_spark_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_subjects(tmp_path / "subjects.csv", SUBJECTS[:2])
    res = run_cli(capsys, "--data-dir", str(tmp_path / "empty"), "screen", "--engine", "spark",
                  "--input", str(src), "--output", str(tmp_path / "o.parquet"))  # fmt: skip
    assert res.code == 4 and "no lists are active" in res.err


def test_without_pyspark_the_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, sample_store: SnapshotStore, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    for module in ("pyspark", "pyspark.sql"):  # importing them raises ImportError
        monkeypatch.setitem(sys.modules, module, None)
    src = write_subjects(tmp_path / "subjects.csv", SUBJECTS[:2])
    res = run_cli(capsys, "--data-dir", str(sample_store.home), "screen", "--engine", "spark",
                  "--input", str(src), "--output", str(tmp_path / "o.parquet"))  # fmt: skip
    assert res.code == 3
    assert (
        res.err.strip() == "error: the Spark engine needs pyspark: pip install 'dprkwatch[spark]'"
    )


def test_without_java_the_error_is_one_line(sample_store: SnapshotStore, tmp_path: Path) -> None:
    """Run as a user would, in a process of its own whose JAVA_HOME holds no Java."""
    pytest.importorskip("pyspark")
    src = write_subjects(tmp_path / "subjects.csv", SUBJECTS[:2])
    (tmp_path / "nojava").mkdir()
    env = dict(os.environ, JAVA_HOME=str(tmp_path / "nojava"))
    proc = subprocess.run(
        [sys.executable, "-c", "from dprkwatch.cli import main; main()", "--data-dir", str(sample_store.home), "screen",
         "--engine", "spark", "--input", str(src), "--output", str(tmp_path / "o.parquet")],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: Spark could not start: "), proc.stderr
    assert "Java gateway process exited" in last
    assert not (tmp_path / "o.parquet").exists()
