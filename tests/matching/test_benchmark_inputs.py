"""The matching benchmarks stop on an empty or short input instead of printing figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dprkwatch.lists import SnapshotStore

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = [
    ("screening_speed.py",),
    ("matching_eval.py", "--no-baselines"),
    ("screening_regression.py", "--check", "unused.jsonl.gz"),
    ("screening_start.py",),
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s[0])
def test_empty_data_dir_is_an_error(script: tuple[str, ...], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run(str(BENCHMARKS / script[0]), *script[1:], "--data-dir", str(empty))
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip().splitlines() == [
        f"error: no lists are active in {empty} (import them first, or omit --data-dir)"
    ]
    assert "|" not in res.stdout, "no table of figures"


@pytest.mark.parametrize("script", ["screening_speed.py", "screening_start.py"])
def test_a_store_smaller_than_expected_is_an_error(
    script: str, sample_store: SnapshotStore
) -> None:
    """The sample lists (a few entities) are far short of the four real lists."""
    res = run(str(BENCHMARKS / script), "--data-dir", str(sample_store.home))
    assert res.returncode == 2, res.stderr
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "expected at least 20,000" in last, last
    assert "|" not in res.stdout
