"""The benchmarks' comparison of two screening outputs, subject by subject.

Two outputs that differ by one extra hit must report that one subject, not
every later row; an empty output must stop the comparison with one line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from hit_compare import compare  # noqa: E402


def row(
    q: str, rank: int | None, entity: str | None, score: float | None, why: str = ""
) -> dict[str, Any]:
    return {
        "query_id": q, "rank": rank, "entity_id": entity, "score": score,
        "match": None if score is None else score >= 0.8, "explanation": why or None,
    }  # fmt: skip


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    schema = pa.schema(
        [("query_id", pa.string()), ("rank", pa.int64()), ("entity_id", pa.string()),
         ("score", pa.float64()), ("match", pa.bool_()), ("explanation", pa.string())]
    )  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)  # type: ignore[no-untyped-call]
    return path


BASE = [
    row("s1", 1, "e1", 0.95),
    row("s1", 2, "e2", 0.10),
    row("s2", None, None, None),
    row("s3", 1, "e3", 0.50, "read as 'SIKHNI'"),
    row("s4", 1, "e4", 0.90),
]


def test_identical_outputs_in_any_row_order(tmp_path: Path) -> None:
    a = write(tmp_path / "a.parquet", BASE)
    b = write(tmp_path / "b.parquet", BASE[::-1])
    result = compare(a, b)
    assert result.identical
    assert result.subjects == 4 and result.rows == (5, 5)


def test_an_extra_weak_hit_is_one_subject_not_every_later_row(tmp_path: Path) -> None:
    a = write(tmp_path / "a.parquet", BASE)
    extra = [*BASE[:3], row("s2b", 1, "e9", 0.01), *BASE[3:]]
    b = write(tmp_path / "b.parquet", [*extra[:2], row("s1", 3, "e8", 0.004), *extra[2:]])
    result = compare(a, b)
    assert result.differing_subjects == ["s1", "s2b"]
    assert result.other_hits == ["s1", "s2b"]
    assert result.differing_rows == 0, "the rows both hold are equal"
    assert result.one_side_rows == 2
    assert result.rows == (5, 7)


def test_an_explanation_alone_differs_in_rows_not_hits(tmp_path: Path) -> None:
    a = write(tmp_path / "a.parquet", BASE)
    b = write(
        tmp_path / "b.parquet", [*BASE[:3], row("s3", 1, "e3", 0.50, "read as 'SEKHNI'"), BASE[4]]
    )
    result = compare(a, b)
    assert result.differing_subjects == ["s3"]
    assert result.other_hits == []
    assert (result.differing_rows, result.one_side_rows) == (1, 0)


def test_a_spark_part_file_directory_is_read_whole(tmp_path: Path) -> None:
    a = write(tmp_path / "a.parquet", BASE)
    parts = tmp_path / "spark.parquet"
    parts.mkdir()
    write(parts / "part-0.parquet", BASE[:2])
    write(parts / "part-1.parquet", BASE[2:])
    (parts / "_dprkwatch.json").write_text("{}")
    assert compare(a, parts).identical


def run(*args: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / "hit_compare.py"), *map(str, args)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_an_empty_output_is_an_error_naming_the_file(tmp_path: Path) -> None:
    a = write(tmp_path / "a.parquet", BASE)
    empty = write(tmp_path / "empty.parquet", [])
    res = run(a, empty)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [f"error: {empty}: the output has no rows"]
    assert "differ" not in res.stdout


def test_a_missing_output_is_an_error(tmp_path: Path) -> None:
    a = write(tmp_path / "a.parquet", BASE)
    res = run(a, tmp_path / "nothing.parquet")
    assert res.returncode == 2
    assert res.stderr.strip() == f"error: {tmp_path / 'nothing.parquet'}: no such output"


def test_the_command_exits_1_and_names_the_subject_when_outputs_differ(tmp_path: Path) -> None:
    a = write(tmp_path / "a.parquet", BASE)
    b = write(tmp_path / "b.parquet", [*BASE[:4], row("s4", 1, "e4", 0.70)])
    res = run(a, b)
    assert res.returncode == 1
    assert res.stdout.splitlines()[0].startswith("1 of 4 subjects differ (1 in their hits)")
    assert "== s4" in res.stdout


def test_the_benchmark_refuses_an_empty_book_before_importing_anything(tmp_path: Path) -> None:
    for args, message in (
        (["--subjects", "0"], "--subjects must be at least 1, got 0"),
        (
            ["--subjects", "10", "--small", "20"],
            "--small must be between 1 and --subjects (10), got 20",
        ),
        (["--subjects", "10", "--small", "5", "--change", "0"], "--change must be a share above 0"),
    ):
        res = subprocess.run(
            [sys.executable, str(BENCHMARKS / "spark_screening.py"), "--data", str(tmp_path),
             "--work", str(tmp_path / "work"), *args],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert res.returncode == 2, res.stderr
        assert res.stderr.startswith(f"error: {message}"), res.stderr
        assert not (tmp_path / "work").exists(), "stopped before any work"
