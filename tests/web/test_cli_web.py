"""``dprkwatch web key`` and ``dprkwatch web status``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dprkwatch.service.routers.workbench import Workbench
from tests.factory import run_cli


def test_key_prints_the_same_key_until_renewed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    first = run_cli(capsys, "--data-dir", home, "web", "key")
    assert first.code == 0, first.err
    key = first.out.split()[1]
    assert key.startswith("dpk_")
    assert f"#key={key}" in first.out
    assert "roles screen, review" in first.err
    again = run_cli(capsys, "--data-dir", home, "web", "key")
    assert again.out.split()[1] == key
    renewed = run_cli(capsys, "--data-dir", home, "web", "key", "--renew")
    assert renewed.out.split()[1] != key


def test_status_reports_the_bundle(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "web", "status", "--json")
    assert result.code == 0
    assert json.loads(result.out) == {"built": Workbench().built, "index": str(Workbench().index)}
    plain = run_cli(capsys, "web", "status")
    assert plain.code == (0 if Workbench().built else 1)
    assert ("built:" if Workbench().built else "not built") in plain.out
