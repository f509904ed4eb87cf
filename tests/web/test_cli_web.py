"""``dprkwatch web key`` and ``dprkwatch web status``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dprkwatch import settings as settings_mod
from dprkwatch.web.bundle import Bundle
from tests.factory import run_cli


def test_key_prints_the_same_key_until_renewed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
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
    assert json.loads(result.out) == {"built": Bundle().built, "index": str(Bundle().index)}
    plain = run_cli(capsys, "web", "status")
    assert plain.code == (0 if Bundle().built else 1)
    assert ("built:" if Bundle().built else "not built") in plain.out


def test_run_prints_a_one_time_link_to_a_terminal_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dprkwatch.cli import run as run_mod
    from dprkwatch.service.api import server
    from tests.service.factory import UN, import_lists

    served: list[object] = []
    monkeypatch.setattr(server, "serve", lambda settings: served.append(settings))
    home = tmp_path / "home"
    import_lists(home, UN)  # lists present: run starts without downloading
    logged = run_cli(capsys, "--data-dir", str(home), "run")
    assert logged.code == 0, logged.err
    assert "dpk_" not in logged.err and "#login=" not in logged.err
    monkeypatch.setattr(run_mod, "to_terminal", lambda: True)
    result = run_cli(capsys, "--data-dir", str(home), "run")
    assert result.code == 0, result.err
    assert len(served) == 2
    line = next(x for x in result.err.splitlines() if x.startswith("workbench: open "))
    url = line.removeprefix("workbench: open ").split()[0]
    cfg = settings_mod.load()
    assert url.startswith(f"http://{cfg.host}:{cfg.port}/#login=dpt_")


def test_link_prints_a_one_time_link(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    first = run_cli(capsys, "--data-dir", home, "web", "link")
    assert first.code == 0, first.err
    again = run_cli(capsys, "--data-dir", home, "web", "link")
    assert "#login=dpt_" in first.out and first.out != again.out
    assert "one-time" in first.err
