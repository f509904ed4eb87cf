"""F8: importing an older list version activated it (the UN list rolled back a year).

Now an older version is stored but not activated: one line with the reason
(exit 7 on the command line, 409 over HTTP), the active version unchanged,
and ``--force`` / ``"force": true`` activates it when that is really meant.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dprkwatch.lists import SnapshotStore
from tests.factory import run_cli
from tests.security.conftest import Guarded
from tests.service.factory import UN


def older_un(folder: Path) -> Path:
    """The UN fixture as it would have been published on 2025-06-18."""
    text = UN.read_text(encoding="utf-8")
    assert 'dateGenerated="2026-02-27' in text
    path = folder / "un_2025-06-18.xml"
    path.write_text(text.replace('dateGenerated="2026-02-27', 'dateGenerated="2025-06-18'))
    return path


def test_the_cli_keeps_the_newer_version_active(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    assert run_cli(capsys, "--data-dir", str(home), "lists", "import", str(UN)).code == 0
    store = SnapshotStore(home)
    active = store.active_versions()
    [(list_name, current)] = active.items()
    old = older_un(tmp_path)

    refused = run_cli(capsys, "--data-dir", str(home), "lists", "import", str(old))
    assert refused.code == 7, refused.err
    message = refused.err.strip()
    assert len(message.splitlines()) == 1, message
    assert "older than the active version" in message and "2025-06-18" in message
    assert store.active_versions() == active
    stored = {m.version for m in store.versions(list_name)}
    assert len(stored) == 2 and current in stored  # kept, for diff and a later --force

    forced = run_cli(capsys, "--data-dir", str(home), "lists", "import", str(old), "--force")
    assert forced.code == 0, forced.err
    assert store.active_versions()[list_name] != current
    assert store.active_manifests()[list_name].published == "2025-06-18"


def test_http_answers_409_unless_forced(guarded: Guarded) -> None:
    svc = guarded.service
    before = svc.admin.get("/lists").json()
    old = older_un(guarded.imports)
    r = svc.admin.post("/lists/import", json={"paths": [str(old)]})
    assert r.status_code == 409, r.text
    assert "older than the active version" in r.json()["detail"]
    assert svc.admin.get("/lists").json() == before
    forced = svc.admin.post("/lists/import", json={"paths": [str(old)], "force": True})
    assert forced.status_code == 200, forced.text
    assert svc.admin.get("/lists").json() != before
